"""A stocked shop and buyers who can order from it, made through the real services: where the orders tests and
the orders benchmark start. It composes catalogue, inventory, orders and identity, so it sits above them all
(beside the seed runner), and no domain imports it."""
import secrets
from datetime import date, timedelta

from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.catalog.schemas import ProductCreate
from healthhub.core.db import utcnow
from healthhub.identity.schemas import UserCreate
from healthhub.identity.service import create_user
from healthhub.inventory import service as inventory
from healthhub.orders import cart as carts

BEIJING = {"region": "北京市 朝阳区", "detail": "建国路88号 SOHO现代城 2号楼1203", "city_adcode": "110105",
           "lat": 39.9087, "lng": 116.4605}


def stock_location(session: Session, *, code: str, kind: str = "warehouse") -> int:
    """A Beijing self-operated warehouse (same-day before 20:00), or a merchant shipping in 2–4 days."""
    fields = {"warehouse": {"same_day_cutoff_hour": 20, "covered_city_adcodes": ["110000"], "cold_chain": True},
              "merchant": {"ship_days_min": 2, "ship_days_max": 4}}[kind]
    name = f"{'北京自营仓' if kind == 'warehouse' else '商家'}{code}"
    location = inventory.add_location(session, kind=kind, code=code, name=name, city_adcode="110115",
                                      address="北京市大兴区", lat=39.72, lng=116.34, **fields)
    return location.id


def make_product(session: Session, *, name: str, price_cents: int, rx: bool, stock: list[tuple[int, int]],
                 health: bool = False) -> int:
    """A catalogue product (drug facts such as the knowledge key or a special-management class come from
    the knowledge base by its generic name) with stock received at the given locations."""
    product = catalog.create_product(session, data=ProductCreate(
        kind="health" if health else "drug", generic_name=name, manufacturer="测试制药有限公司", category="测试分类",
        list_price_cents=price_cents, rx_class="none" if health else ("rx" if rx else "otc_a"),
        package="24片/盒"))
    for location_id, quantity in stock:
        inventory.receive_stock(session, location=inventory.get_location(session, location_id=location_id), product_id=product.id,
                                batch_no=f"B{product.id}-{location_id}", expiry_date=date.today() + timedelta(days=400),
                                quantity=quantity, unit_cost_cents=price_cents // 2, now=utcnow())
    return product.id


def beijing_address(session: Session, user_id: int) -> int:
    return carts.add_address(session, user_id=user_id, data=carts.AddressInput(
        recipient="张伟", mobile="13800138000", is_default=True, **BEIJING)).id


def make_buyer(session: Session, *, username: str) -> tuple[int, int]:
    """A patient account with a default Beijing address: (user id, address id). Nobody signs in as it, so its
    password is random."""
    user = create_user(session, data=UserCreate(username=username, display_name=username, role="patient",
                                                password=secrets.token_urlsafe(16)))
    return user.id, beijing_address(session, user.id)
