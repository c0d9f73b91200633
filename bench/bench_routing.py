"""Channel routing with 200,000 partner pharmacies in memory: the KD-tree geo index (what
route_order uses) against a brute-force haversine scan over every pharmacy, same process, same
orders, same pure decision (routing.plan_route) afterwards."""
import random
import time
from datetime import UTC, datetime, timedelta

from bench.harness import median, percentile, time_calls
from healthhub.inventory.fulfilment import instant_offer
from healthhub.inventory.geo import PharmacyIndex, PharmacySite, haversine_km
from healthhub.inventory.routing import Candidate, RouteLine, plan_route
from healthhub.inventory.seed import LARGE_PHARMACIES, pharmacy_rows

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, a weekday
PRODUCTS = range(1, 201)
INDEXED_ORDERS, SCANNED_ORDERS = 400, 15


def _sites(count: int) -> list[PharmacySite]:
    rows = pharmacy_rows(random.Random("bench-routing"), count)
    return [PharmacySite(n, r["name"], r["lat"], r["lng"], r["delivery_radius_km"], r["opening_hours"], r["cold_chain"],
                         r["insurance_designated"], r["shipping_fee_cents"]) for n, r in enumerate(rows, 1)]


def _stock(location_id: int, product_ids) -> dict[int, int]:
    # Deterministic stand-in for the batch query: each pharmacy carries about a third of the products.
    return {p: 5 for p in product_ids if (location_id * 31 + p * 17) % 3 == 0}


def _fallbacks() -> list[Candidate]:
    merchant = Candidate("merchant", -1, "第三方商家", {p: 999 for p in PRODUCTS}, False, NOW + timedelta(days=4),
                         "2–4天送达", 800, "", "")
    warehouse = Candidate("warehouse", -2, "自营仓", {p: 999 for p in PRODUCTS}, True, NOW + timedelta(hours=12),
                          "今日送达", 600, "", "")
    return [merchant, warehouse]


def _route(hits, lines) -> None:
    product_ids = [line.product_id for line in lines]
    candidates = _fallbacks()
    for site, distance in hits:
        offer = instant_offer(site, distance, NOW)
        if offer is not None:
            candidates.append(Candidate(stock=_stock(site.location_id, product_ids), **offer))
    plan_route(lines, candidates, now=NOW)


def _scan(sites: list[PharmacySite], lat: float, lng: float):
    found = []
    for site in sites:
        distance = haversine_km(lat, lng, site.lat, site.lng)
        if distance <= site.delivery_radius_km:
            found.append((site, distance))
    return found


def run(report) -> None:
    sites = _sites(LARGE_PHARMACIES)
    report.add("routing: partner pharmacies generated", len(sites), "sites")
    started = time.perf_counter()
    index = PharmacyIndex(sites)
    report.add("routing: KD-tree index build", (time.perf_counter() - started) * 1000, "ms")
    rng = random.Random("bench-routing-orders")
    orders = []
    for _ in range(INDEXED_ORDERS):
        home = rng.choice(sites)
        lines = [RouteLine(p, rng.randint(1, 2)) for p in rng.sample(PRODUCTS, rng.randint(1, 4))]
        orders.append((home.lat + rng.uniform(-0.01, 0.01), home.lng + rng.uniform(-0.01, 0.01), lines))

    indexed_iter = iter(orders)
    indexed = time_calls(lambda: _route(index.delivering_to(*next(indexed_iter)[:2]), orders[0][2]),
                         repeat=INDEXED_ORDERS)
    scan_iter = iter(orders)
    scanned = time_calls(lambda: _route(_scan(sites, *next(scan_iter)[:2]), orders[0][2]), repeat=SCANNED_ORDERS)
    hits = sum(len(index.delivering_to(lat, lng)) for lat, lng, _ in orders[:50]) / 50
    assert {s.location_id for s, _ in index.delivering_to(*orders[0][:2])} == \
        {s.location_id for s, _ in _scan(sites, *orders[0][:2])}, "index and scan disagree"
    report.add("routing: pharmacies within reach per order (mean)", hits, "sites")
    report.add("routing per order, geo index p50", median(indexed) * 1000, "ms")
    report.add("routing per order, geo index p99", percentile(indexed, 99) * 1000, "ms")
    report.add("routing per order, brute-force scan p50 (baseline)", median(scanned) * 1000, "ms")
    report.add("routing speed-up, index vs scan (p50 ratio)", median(scanned) / median(indexed), "x")
