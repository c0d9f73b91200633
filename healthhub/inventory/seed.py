"""Inventory demo data. small: 8 self-operated warehouses (3 cold-chain, 1 non-drug), 5 merchant
stores, ~300 partner pharmacies around the major cities' districts (a cluster near the demo
patient's Beijing address), FEFO-relevant batches (some near expiry, some expired, a few sold out)
and three months of sales for the turnover report. large: also 200,000 partner pharmacies."""
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from healthhub.catalog import service as catalog
from healthhub.inventory.locations import add_location, bulk_add_pharmacies
from healthhub.inventory.models import Location, StockBatch, StockMove
from healthhub.seed.context import SeedContext
from healthhub.seed.places import Place, districts_of, major_cities

ORDER = 20
PRODUCT_ID_SCAN = 3000
LARGE_PHARMACIES = 200_000
DEMO_POINT = (39.9087, 116.4605)  # the demo patient's address (朝阳区 建国路)
BRANDS = ("同仁堂大药房", "老百姓大药房", "益丰大药房", "大参林药店", "海王星辰", "一心堂", "国大药房", "金象大药房",
          "嘉事堂药店", "漱玉平民大药房", "好药师大药房", "养天和大药房")
WAREHOUSES = (  # code, city, name, cold chain, handles drugs, covered cities, cutoff hour
    ("WH-BJ", "110000", "北京亦庄医药仓", True, True, ("110000", "120000"), 15),
    ("WH-SH", "310000", "上海嘉定医药仓", True, True, ("310000", "320100", "330100"), 15),
    ("WH-GZ", "440100", "广州白云医药仓", True, True, ("440100", "440300"), 14),
    ("WH-SZ", "440300", "深圳龙华医药仓", False, True, ("440300", "440100"), 14),
    ("WH-HZ", "330100", "杭州萧山医药仓", False, True, ("330100", "310000"), 13),
    ("WH-CD", "510100", "成都双流医药仓", False, True, ("510100", "500000"), 13),
    ("WH-WH", "420100", "武汉东西湖医药仓", False, True, ("420100", "430100"), 12),
    ("WH-TJ", "120000", "天津武清健康百货仓", False, False, ("120000", "110000"), 12),
)
MERCHANTS = (("MS-1", "康爱多官方旗舰店", "440100", False), ("MS-2", "健客大药房旗舰店", "440300", False),
             ("MS-3", "1药网自营店", "310000", True), ("MS-4", "阿里健康大药房", "330100", False),
             ("MS-5", "叮当快药旗舰店", "110000", False))


def _hours(rng: random.Random, *, all_day: bool = False) -> dict[str, list[list[str]]]:
    if all_day or rng.random() < 0.2:
        return {str(d): [["00:00", "24:00"]] for d in range(7)}
    weekday = rng.choice((["08:00", "22:00"], ["08:30", "21:30"], ["09:00", "21:00"]))
    weekend = rng.choice((weekday, ["09:00", "20:00"]))
    return {str(d): [weekday if d < 5 else weekend] for d in range(7)}


def _jitter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    distance, bearing = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return (round(lat + distance * math.cos(bearing) / 111.0, 6),
            round(lng + distance * math.sin(bearing) / (111.0 * math.cos(math.radians(lat))), 6))


def pharmacy_rows(rng: random.Random, count: int, *, start: int = 1) -> Iterator[dict[str, Any]]:
    """Plain pharmacy rows scattered around the major cities' districts (also used by the benchmark)."""
    districts = [(city, district) for city in major_cities() for district in districts_of(city)[:16]]
    now = datetime.now(UTC)
    for n in range(start, start + count):
        city, district = rng.choice(districts)
        lat, lng = _jitter(rng, district.lat, district.lng, 4.0)
        yield _pharmacy_row(rng, n, city, district, lat, lng, now)


def _pharmacy_row(rng: random.Random, n: int, city: Place, district: Place, lat: float, lng: float,
                  now: datetime, *, all_day: bool = False) -> dict[str, Any]:
    short = district.name.removesuffix("区").removesuffix("县").removesuffix("市")
    return {"kind": "pharmacy", "code": f"PH-{n:06d}", "name": f"{rng.choice(BRANDS)}（{short}{n}店）",
            "city_adcode": city.adcode, "address": f"{city.name}{district.name}", "lat": lat, "lng": lng,
            "is_active": True, "cold_chain": rng.random() < 0.3, "shipping_fee_cents": rng.choice((300, 400, 500)),
            "handles_drugs": True, "covered_city_adcodes": [], "opening_hours": _hours(rng, all_day=all_day),
            "insurance_designated": rng.random() < 0.4, "delivery_radius_km": rng.choice((3.0, 3.0, 5.0, 5.0, 8.0)),
            "created_at": now, "updated_at": now}


def _locations(session: Session, ctx: SeedContext) -> list[Location]:
    rng = ctx.rng("inventory-locations")
    users = ctx.shared.get("users", {})
    created = []
    for code, city, name, cold, drugs, covered, cutoff in WAREHOUSES:
        created.append(add_location(session, kind="warehouse", code=code, name=name, city_adcode=city, cold_chain=cold,
                                    handles_drugs=drugs, covered_city_adcodes=list(covered),
                                    same_day_cutoff_hour=cutoff, shipping_fee_cents=rng.choice((0, 600, 800))))
    for index, (code, name, city, cold) in enumerate(MERCHANTS):
        created.append(add_location(session, kind="merchant", code=code, name=name, city_adcode=city, cold_chain=cold,
                                    owner_user_id=users.get("merchant") if index == 0 else None,
                                    ship_days_min=2, ship_days_max=rng.choice((3, 4)),
                                    shipping_fee_cents=rng.choice((0, 800, 1000))))
    beijing = major_cities()[0]
    chaoyang = next(d for d in districts_of(beijing) if d.name == "朝阳区")
    now = datetime.now(UTC)
    # A cluster within ~3 km of the demo address, mostly open around the clock, so instant delivery shows.
    for n in range(1, 26):
        lat, lng = _jitter(rng, *DEMO_POINT, 3.0)
        row = _pharmacy_row(rng, n, beijing, chaoyang, lat, lng, now, all_day=n % 3 != 0)
        row.pop("created_at"), row.pop("updated_at")
        row["owner_user_id"] = users.get("partner_pharmacy") if n == 1 else None
        created.append(add_location(session, **row))
    for row in pharmacy_rows(rng, 275, start=26):
        row.pop("created_at"), row.pop("updated_at")
        created.append(add_location(session, **row))
    return created


def _sellable_products(session: Session) -> list:
    views = catalog.get_products(session, ids=range(1, PRODUCT_ID_SCAN + 1))
    return [v for _, v in sorted(views.items()) if v.sellable_online and v.active and v.price_cents]


def _batches(session: Session, ctx: SeedContext, locations: list[Location], products: list) -> None:
    rng = ctx.rng("inventory-batches")
    today = date.today()
    received = datetime.now(UTC) - timedelta(days=100)
    popular = [p for p in products if not p.rx][:120]
    batch_rows: list[dict[str, Any]] = []
    for location in locations:
        if location.kind == "pharmacy":
            near_demo = location.code <= "PH-000025"
            assortment = popular[:40] + rng.sample(popular[40:], min(30, len(popular) - 40)) if near_demo else \
                rng.sample(popular, min(len(popular), rng.randint(25, 60)))
        elif location.kind == "warehouse":
            assortment = products if location.handles_drugs else [p for p in products if not p.is_drug]
        else:
            assortment = rng.sample(products, min(len(products), 300))
        for product in assortment:
            if product.cold_chain and not location.cold_chain:
                continue
            cost = max(50, int(product.price_cents * rng.uniform(0.45, 0.7)))
            roll = rng.random()
            # Mostly healthy stock; some near expiry, a few expired, a few sold out (stock-outs).
            days = rng.randint(-20, -1) if roll < 0.03 else rng.randint(5, 29) if roll < 0.08 else rng.randint(60, 720)
            quantity = 0 if rng.random() < 0.02 else rng.randint(3, 30) if location.kind == "pharmacy" \
                else rng.randint(50, 500)
            batch_rows.append({"product_id": product.id, "location_id": location.id,
                               "batch_no": f"{today:%y%m}{rng.randint(10000, 99999)}", "expiry_date": today + timedelta(days=days),
                               "on_hand": quantity, "reserved": 0, "unit_cost_cents": cost,
                               "created_at": received, "updated_at": received})
    for start in range(0, len(batch_rows), 5000):
        session.execute(insert(StockBatch), batch_rows[start:start + 5000])
    _ledger(session, ctx, received)


def _ledger(session: Session, ctx: SeedContext, received: datetime) -> None:
    """Receipts for what was booked in, and three months of sales (so turnover days has data)."""
    rng = ctx.rng("inventory-ledger")
    moves = []
    for batch_id, product_id, location_id, on_hand, cost in session.execute(select(
            StockBatch.id, StockBatch.product_id, StockBatch.location_id, StockBatch.on_hand,
            StockBatch.unit_cost_cents)):
        sold = 0 if on_hand == 0 else rng.randint(0, on_hand)
        base = {"batch_id": batch_id, "product_id": product_id, "location_id": location_id, "unit_cost_cents": cost,
                "reference": None, "actor_user_id": None}
        moves.append({**base, "kind": "receipt", "quantity": on_hand + sold + (rng.randint(1, 5) if on_hand == 0 else 0),
                      "reason": "演示数据入库", "occurred_at": received})
        if on_hand == 0:
            moves.append({**base, "kind": "sale", "quantity": -(moves[-1]["quantity"]), "reason": "订单出库",
                          "occurred_at": received + timedelta(days=rng.randint(1, 90))})
        elif sold:
            moves.append({**base, "kind": "sale", "quantity": -sold, "reason": "订单出库",
                          "occurred_at": received + timedelta(days=rng.randint(1, 95))})
    for start in range(0, len(moves), 5000):
        session.execute(insert(StockMove), moves[start:start + 5000])


def _large(session: Session, ctx: SeedContext) -> None:
    existing = session.execute(select(func.count()).select_from(Location).where(Location.kind == "pharmacy")).scalar()
    missing = LARGE_PHARMACIES - existing
    if missing <= 0:
        return
    rng = ctx.rng("inventory-large")
    rows = pharmacy_rows(rng, missing, start=existing + 1_000_000)
    chunk: list[dict[str, Any]] = []
    for row in ctx.progress(rows, length=missing, label="partner pharmacies"):
        chunk.append(row)
        if len(chunk) == 10_000:
            bulk_add_pharmacies(session, rows=chunk)
            chunk = []
    if chunk:
        bulk_add_pharmacies(session, rows=chunk)


def seed(session: Session, ctx: SeedContext) -> None:
    if session.execute(select(Location.id).where(Location.code == "WH-BJ")).first() is None:
        locations = _locations(session, ctx)
        _batches(session, ctx, locations, _sellable_products(session))
    if ctx.large:
        _large(session, ctx)
