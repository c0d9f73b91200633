"""Builders for order tests and the orders benchmark: products, stock, buyers with addresses."""
import itertools
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.inventory.models import Location, StockBatch
from healthhub.orders import cart as carts
from healthhub.orders.models import Address, RxUpload
from tests.factories import create_user_with_token

BEIJING = {"region": "北京市 朝阳区", "detail": "建国路88号 SOHO现代城 2号楼1203", "city_adcode": "110105",
           "lat": 39.9087, "lng": 116.4605}
_ids = itertools.count(1)


def stock_location(session: Session, *, code: str) -> int:
    location = Location(kind="warehouse", code=code, name=f"北京自营仓{code}", city_adcode="110000",
                        address="北京市大兴区", lat=39.72, lng=116.34, is_active=True, cold_chain=True,
                        covered_city_adcodes=["110000"], ship_days_min=1, ship_days_max=1, handles_drugs=True)
    session.add(location)
    session.flush()
    return location.id


def make_product(session: Session, *, name: str, price_cents: int, rx: bool, knowledge_key: str | None,
                 stock: list[tuple[int, int]], special: str | None = None) -> int:
    product_id = 900_000 + next(_ids)
    catalog.REGISTRY[product_id] = catalog.ProductView(
        id=product_id, name=name, generic_name=name, knowledge_key=knowledge_key, rx=rx,
        sellable_online=special is None, not_sellable_reason="特殊管理药品" if special else None, cold_chain=False,
        insurance_category=None, price_cents=price_cents, dosage_form="片", strength="0.1g", package="24片/盒")
    for location_id, quantity in stock:
        session.add(StockBatch(product_id=product_id, location_id=location_id, batch_no=f"B{product_id}",
                               expiry_date=date.today() + timedelta(days=400), on_hand=quantity, reserved=0,
                               unit_cost_cents=price_cents // 2))
    session.flush()
    return product_id


def set_price(session: Session, product_id: int, price_cents: int) -> None:
    catalog.REGISTRY[product_id].price_cents = price_cents


def beijing_address(session: Session, user_id: int) -> int:
    return carts.add_address(session, user_id=user_id, data=carts.AddressInput(
        recipient="张伟", mobile="13800138000", is_default=True, **BEIJING)).id


def make_buyer(session: Session, *, username: str) -> tuple[int, int]:
    user, _headers = create_user_with_token(session, role="patient", username=username)
    return user.id, beijing_address(session, user.id)


def address_row(session: Session, user_id: int, address_id: int) -> Address:
    return carts.address_of(session, user_id=user_id, address_id=address_id)


def _sum(session: Session, column, product_id: int, location_id: int) -> int:
    return session.execute(select(func.coalesce(func.sum(column), 0)).where(
        StockBatch.product_id == product_id, StockBatch.location_id == location_id)).scalar_one()


def on_hand(session: Session, product_id: int, location_id: int) -> int:
    session.expire_all()
    return _sum(session, StockBatch.on_hand, product_id, location_id)


def available(session: Session, product_id: int, location_id: int) -> int:
    session.expire_all()
    return _sum(session, StockBatch.on_hand - StockBatch.reserved, product_id, location_id)


def min_stock_figures(session: Session) -> int:
    return session.execute(select(func.min(func.least(StockBatch.on_hand, StockBatch.reserved,
                                                      StockBatch.on_hand - StockBatch.reserved)))).scalar_one()


def age_upload(session: Session, upload_id: int, *, days: int) -> None:
    """Moves an approved upload's dates into the past, as if it had been approved `days` ago."""
    upload = session.get(RxUpload, upload_id)
    upload.issued_on -= timedelta(days=days)
    upload.valid_until -= timedelta(days=days)
    session.flush()
