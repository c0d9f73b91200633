"""Storefront API: a product's detail, whose Rx insert and buy option the caller's approved prescription
unlocks (OD-03). It keeps the catalogue's path and tag, where clients have always found it."""
from fastapi import APIRouter

from healthhub.catalog.schemas import ProductDetail
from healthhub.core.db import DbSession, utcnow
from healthhub.core.inputs import QueryId, ResourceId
from healthhub.identity.deps import OptionalUser
from healthhub.storefront import service

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])


@router.get("/products/{product_id}", response_model=ProductDetail,
            summary="Product detail; an Rx drug's insert and buy option need the caller's approved prescription")
def get_product(product_id: ResourceId, db: DbSession, principal: OptionalUser,
                prescription: QueryId | None = None) -> ProductDetail:
    return service.product_detail(db, product_id=product_id, principal=principal, prescription_id=prescription,
                                  now=utcnow())
