"""The provider-facing callback endpoint. No login: the provider proves itself with its signature."""
from fastapi import APIRouter, Request

from healthhub.core.db import DbSession, utcnow
from healthhub.orders.payments import service

router = APIRouter(tags=["payments"])


@router.post("/payments/callbacks/{provider}", summary="Signed asynchronous payment notification from a provider",
             responses={401: {"description": "bad signature"}, 400: {"description": "stale or malformed"}})
async def payment_callback(provider: str, request: Request, db: DbSession) -> dict:
    body = await request.body()
    outcome = service.handle_callback(db, provider_name=provider, body=body, headers=request.headers, now=utcnow())
    # 200 for duplicates and stale events too: they are handled, the provider must stop retrying.
    return {"received": True, "outcome": outcome}
