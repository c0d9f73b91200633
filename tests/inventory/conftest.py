"""Builders for inventory tests: real products through the catalogue service, real locations and
stock through ours."""
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from healthhub.catalog.schemas import ProductCreate
from healthhub.catalog.service import create_product
from healthhub.inventory import service
from healthhub.inventory.models import Location

# Wednesday 2026-11-25 10:00 in Beijing.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)
BEIJING = "110000"
ALL_DAY = {str(d): [["00:00", "24:00"]] for d in range(7)}
_codes = itertools.count(1)


@pytest.fixture
def product(db):
    def factory(name: str = "维生素C咀嚼片", *, cold_chain: bool = False) -> int:
        created = create_product(db, data=ProductCreate(
            kind="health", generic_name=f"{name}{next(_codes)}", manufacturer="测试厂家", category="营养保健",
            list_price_cents=2990, cold_chain=cold_chain)).id
        db.commit()
        return created
    return factory


@pytest.fixture
def location(db):
    def factory(kind: str, **fields) -> Location:
        n = next(_codes)
        base = {"kind": kind, "code": f"T{kind[:2].upper()}{n:05d}", "name": fields.pop("name", f"测试{kind}{n}"),
                "city_adcode": fields.pop("city_adcode", BEIJING)}
        if kind == "pharmacy":
            base.update(lat=39.9087, lng=116.3975, delivery_radius_km=5.0, opening_hours=ALL_DAY)
        if kind == "warehouse":
            base.update(same_day_cutoff_hour=15, covered_city_adcodes=[BEIJING])
        base.update(fields)
        created = service.add_location(db, **base)
        db.commit()  # releases the test's SAVEPOINT: a failing request's rollback keeps the setup
        return created
    return factory


@pytest.fixture
def stock(db):
    def factory(location: Location, product_id: int, quantity: int, expiry: date, *, batch_no: str | None = None,
                unit_cost_cents: int = 1000):
        batch, _ = service.receive_stock(db, location=location, product_id=product_id,
                                         batch_no=batch_no or f"B{next(_codes)}", expiry_date=expiry,
                                         quantity=quantity, unit_cost_cents=unit_cost_cents,
                                         now=datetime(2026, 1, 1, tzinfo=UTC))
        db.commit()
        return batch
    return factory


def reserve_one(session, *, order_ref: str, lines: list[service.ReserveLine], ttl: timedelta, now: datetime):
    """Holds stock for a single shipment (an order passes all of its shipments to `service.reserve` at once)."""
    return service.reserve(session, shipments=[service.ShipmentHold(order_ref, lines)], ttl=ttl, now=now)
