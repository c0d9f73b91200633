"""Builders for order tests and the orders benchmark: products, stock, buyers with addresses."""
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.catalog.schemas import ProductCreate, ProductUpdate
from healthhub.core.db import utcnow
from healthhub.inventory import service as inventory
from healthhub.inventory.models import StockBatch
from healthhub.orders import cart as carts
from healthhub.orders.models import Address, RxUpload
from tests.factories import create_user_with_token

BEIJING = {"region": "北京市 朝阳区", "detail": "建国路88号 SOHO现代城 2号楼1203", "city_adcode": "110105",
           "lat": 39.9087, "lng": 116.4605}


def stock_location(session: Session, *, code: str, kind: str = "warehouse") -> int:
    """A Beijing self-operated warehouse (same-day before 20:00), or a merchant shipping in 2–4 days."""
    fields = {"warehouse": {"same_day_cutoff_hour": 20, "covered_city_adcodes": ["110000"], "cold_chain": True},
              "merchant": {"ship_days_min": 2, "ship_days_max": 4}}[kind]
    location = inventory.add_location(session, kind=kind, code=code, name=f"{'北京自营仓' if kind == 'warehouse' else '商家'}"
                                      f"{code}", city_adcode="110115", address="北京市大兴区", lat=39.72, lng=116.34,
                                      **fields)
    return location.id


def make_product(session: Session, *, name: str, price_cents: int, rx: bool, stock: list[tuple[int, int]],
                 health: bool = False) -> int:
    """A catalogue product (drug facts such as the knowledge key or a special-management class come from
    the knowledge base by its generic name) with stock received at the given locations."""
    product = catalog.create_product(session, ProductCreate(
        kind="health" if health else "drug", generic_name=name, manufacturer="测试制药有限公司", category="测试分类",
        list_price_cents=price_cents, rx_class="none" if health else ("rx" if rx else "otc_a"),
        package="24片/盒"))
    for location_id, quantity in stock:
        inventory.receive_stock(session, location=inventory.get_location(session, location_id), product_id=product.id,
                                batch_no=f"B{product.id}-{location_id}", expiry_date=date.today() + timedelta(days=400),
                                quantity=quantity, unit_cost_cents=price_cents // 2, now=utcnow())
    return product.id


def set_price(session: Session, product_id: int, price_cents: int) -> None:
    catalog.update_product(session, product_id, ProductUpdate(list_price_cents=price_cents))


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
