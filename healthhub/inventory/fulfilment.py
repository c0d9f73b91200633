"""Gathers routing candidates from the database (pharmacies via the geo index, warehouses covering
the city, merchants) and hands them to the pure decision in routing.py."""
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.inventory.config import inventory_settings
from healthhub.inventory.fefo import BatchStock, allocatable_quantity, sellable_from
from healthhub.inventory.geo import PharmacySite, is_open
from healthhub.inventory.holds import free_stock
from healthhub.inventory.ledger import local_today, require_aware
from healthhub.inventory.locations import city_of, pharmacy_index
from healthhub.inventory.models import Location, StockBatch
from healthhub.core.dates import CHINA
from healthhub.inventory.routing import Candidate, Destination, RouteLine, RoutingPlan, plan_route

INSTANT_MIN_MINUTES, INSTANT_MAX_MINUTES = 30, 60
EVENING_DELIVERY = time(22, 0)
INSTANT_FEE_PER_KM_CENTS = 100
_CHUNK = 5000


def _sellable_stock(session: Session, *, product_ids: Iterable[int], location_ids: list[int],
                    now: datetime) -> dict[int, dict[int, int]]:
    """location id -> product id -> FEFO-sellable quantity (the same rules reservations apply: FEFO, and
    lapsed holds count as free because reserve releases them before allocating)."""
    shelf_life = inventory_settings().min_shelf_life_days
    today = local_today(now)
    threshold = sellable_from(today, shelf_life)
    batches: dict[tuple[int, int], list[BatchStock]] = defaultdict(list)
    products = sorted(set(product_ids))
    free = free_stock(now)
    for start in range(0, len(location_ids), _CHUNK):
        rows = session.execute(free.join(select(
            StockBatch.id, StockBatch.location_id, StockBatch.product_id, StockBatch.expiry_date, free.units,
        )).where(StockBatch.location_id.in_(location_ids[start:start + _CHUNK]), StockBatch.product_id.in_(products),
                 free.units > 0, StockBatch.expiry_date >= threshold))
        for batch_id, location_id, product_id, expiry, available in rows:
            batches[(location_id, product_id)].append(BatchStock(batch_id, expiry, available))
    stock: dict[int, dict[int, int]] = defaultdict(dict)
    for (location_id, product_id), found in batches.items():
        stock[location_id][product_id] = allocatable_quantity(found, today=today, min_shelf_life_days=shelf_life)
    return stock


def _at_evening(day, *, days_ahead: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=days_ahead), EVENING_DELIVERY, tzinfo=CHINA)


def instant_offer(site: PharmacySite, distance_km: float, now: datetime) -> dict | None:
    """What a pharmacy within reach promises now (Candidate fields without stock); None when closed."""
    if not is_open(site.opening_hours, now.astimezone(CHINA)):
        return None
    minutes = round(INSTANT_MIN_MINUTES + (INSTANT_MAX_MINUTES - INSTANT_MIN_MINUTES)
                    * min(1.0, distance_km / site.delivery_radius_km))
    insured_zh, insured_en = ("（医保定点）", " (insurance-designated)") if site.insurance_designated else ("", "")
    return dict(
        channel="instant", location_id=site.location_id, location_name=site.name, cold_chain=site.cold_chain,
        promised_at=now + timedelta(minutes=minutes), eta_text=f"约{minutes}分钟送达",
        cost_cents=site.shipping_fee_cents + round(distance_km * INSTANT_FEE_PER_KM_CENTS),
        reason_zh=f"距您{distance_km:.1f}公里的{site.name}{insured_zh}营业中且有货，约{minutes}分钟送达",
        reason_en=f"{site.name}{insured_en} is {distance_km:.1f} km away, open now and has stock: about {minutes} min")


def _instant_candidates(session: Session, destination: Destination, now: datetime) -> list[tuple[dict, int]]:
    offers = (instant_offer(site, distance, now)
              for site, distance in pharmacy_index(session).delivering_to(destination.lat, destination.lng))
    return [(offer, offer["location_id"]) for offer in offers if offer is not None]


def _warehouse_and_merchant_candidates(session: Session, destination: Destination, now: datetime
                                       ) -> list[tuple[dict, int]]:
    city = city_of(destination.city_adcode)
    local_now = now.astimezone(CHINA)
    found = []
    # Plain columns rather than whole rows: only these are needed, and skipping the ORM load is cheaper.
    for location in session.execute(select(
            Location.id, Location.kind, Location.name, Location.cold_chain, Location.shipping_fee_cents,
            Location.covered_city_adcodes, Location.same_day_cutoff_hour, Location.ship_days_min,
            Location.ship_days_max).where(Location.kind.in_(("warehouse", "merchant")), Location.is_active.is_(True))):
        if location.kind == "warehouse":
            if city not in location.covered_city_adcodes:
                continue
            cutoff = location.same_day_cutoff_hour
            if local_now.hour < cutoff:
                promised, eta = _at_evening(local_now.date()), "今日送达"
                why_zh, why_en = f"{cutoff}点前下单当日送达", f"ordered before {cutoff}:00, delivered today"
            else:
                promised, eta = _at_evening(local_now.date(), days_ahead=1), "明日送达"
                why_zh, why_en = f"已过当日{cutoff}点截单，明日送达", f"past today's {cutoff}:00 cutoff, delivered tomorrow"
            reason_zh = f"自营{location.name}覆盖您所在城市，{why_zh}"
            reason_en = f"our {location.name} covers your city: {why_en}"
        else:
            low, high = location.ship_days_min, location.ship_days_max
            promised, eta = _at_evening(local_now.date(), days_ahead=high), f"{low}–{high}天送达"
            reason_zh = f"第三方商家{location.name}全国发货，{low}–{high}天送达"
            reason_en = f"merchant {location.name} ships nationwide in {low}–{high} days"
        found.append((dict(channel=location.kind, location_id=location.id, location_name=location.name,
                           cold_chain=location.cold_chain, promised_at=promised, eta_text=eta,
                           cost_cents=location.shipping_fee_cents, reason_zh=reason_zh, reason_en=reason_en),
                      location.id))
    return found


def route_order(session: Session, *, lines: list[RouteLine], destination: Destination, now: datetime) -> RoutingPlan:
    """Where each line ships from, when it arrives and why (see routing.py for the objective)."""
    require_aware(now)
    gathered = _instant_candidates(session, destination, now) + _warehouse_and_merchant_candidates(
        session, destination, now)
    stock = _sellable_stock(session, product_ids=[line.product_id for line in lines],
                            location_ids=[location_id for _, location_id in gathered], now=now)
    candidates = [Candidate(stock=stock[location_id], **fields) for fields, location_id in gathered
                  if location_id in stock]
    return plan_route(lines, candidates, now=now)


def product_ids_in_stock_near(session: Session, *, lat: float, lng: float, radius_km: float,
                              now: datetime) -> set[int]:
    """Products that an open partner pharmacy within `radius_km` can sell now (search filter "附近有货")."""
    require_aware(now)
    local_now = now.astimezone(CHINA)
    location_ids = [site.location_id for site, _ in pharmacy_index(session).within(lat, lng, radius_km)
                    if is_open(site.opening_hours, local_now)]
    threshold = sellable_from(local_today(now), inventory_settings().min_shelf_life_days)
    found: set[int] = set()
    free = free_stock(now)
    for start in range(0, len(location_ids), _CHUNK):
        found.update(session.execute(free.join(select(StockBatch.product_id).distinct()).where(
            StockBatch.location_id.in_(location_ids[start:start + _CHUNK]),
            free.units > 0, StockBatch.expiry_date >= threshold)).scalars())
    return found
