"""Channel routing: the pure decision, then the service gathering real candidates."""
from datetime import UTC, datetime, timedelta

from healthhub.inventory import service
from healthhub.inventory.routing import Candidate, RouteLine, plan_route
from healthhub.inventory.service import Destination
from tests.inventory.conftest import NOW, TODAY

HOME = Destination(lat=39.9087, lng=116.3975, city_adcode="110105")
EXPIRY = TODAY + timedelta(days=300)


def _candidate(location_id, stock, *, channel="instant", minutes=40, cost=500, cold=False):
    return Candidate(channel=channel, location_id=location_id, location_name=f"L{location_id}", stock=stock,
                     cold_chain=cold, promised_at=NOW + timedelta(minutes=minutes), eta_text="", cost_cents=cost,
                     reason_zh="", reason_en="")


def test_fewest_shipments_wins_within_the_same_delivery_slot():
    candidates = [_candidate(1, {10: 1, 20: 1}, minutes=50), _candidate(2, {10: 1}, minutes=31),
                  _candidate(3, {20: 1}, minutes=32)]
    plan = plan_route([RouteLine(10, 1), RouteLine(20, 1)], candidates, now=NOW)
    assert [s.location_id for s in plan.shipments] == [1]


def test_faster_slot_beats_fewer_shipments():
    candidates = [_candidate(1, {10: 1}, minutes=40), _candidate(2, {10: 1, 20: 1}, channel="merchant",
                                                                  minutes=3 * 24 * 60)]
    plan = plan_route([RouteLine(10, 1), RouteLine(20, 1)], candidates, now=NOW)
    assert {(s.location_id, tuple(line.product_id for line in s.lines)) for s in plan.shipments} == {(1, (10,)), (2, (20,))}


def test_cost_breaks_ties_and_cold_chain_needs_a_cold_source():
    plan = plan_route([RouteLine(10, 1, cold_chain=True)],
                      [_candidate(1, {10: 5}, cost=100), _candidate(2, {10: 5}, cost=900, cold=True),
                       _candidate(3, {10: 5}, cost=700, cold=True)], now=NOW)
    assert [s.location_id for s in plan.shipments] == [3]
    plan = plan_route([RouteLine(10, 1, cold_chain=True)], [_candidate(1, {10: 5})], now=NOW)
    assert plan.shipments == [] and "冷链" in plan.unroutable[0].reason_zh


def test_only_a_shipment_with_cold_chain_goods_promises_the_cold_chain():
    cold_site = [_candidate(1, {10: 5, 20: 5}, cold=True)]
    assert "冷链" not in plan_route([RouteLine(20, 1)], cold_site, now=NOW).shipments[0].reason_zh
    assert "2–8℃冷链" in plan_route([RouteLine(10, 1, cold_chain=True)], cold_site, now=NOW).shipments[0].reason_zh


def test_unroutable_reasons_say_why():
    plan = plan_route([RouteLine(10, 5), RouteLine(30, 1)], [_candidate(1, {10: 2})], now=NOW)
    reasons = {u.line.product_id: u.reason_zh for u in plan.unroutable}
    assert "最多可供2件" in reasons[10] and "暂无货源" in reasons[30]


def test_instant_from_open_pharmacy_in_radius(db, product, location, stock):
    pid = product()
    near = location("pharmacy", name="同仁堂大药房", lat=39.9150, lng=116.3975, delivery_radius_km=3.0)
    stock(near, pid, 5, EXPIRY)
    plan = service.route_order(db, lines=[RouteLine(pid, 2)], destination=HOME, now=NOW)
    shipment = plan.shipments[0]
    assert (shipment.channel, shipment.location_id) == ("instant", near.id)
    assert shipment.reason_zh.startswith("距您0.7公里的同仁堂大药房营业中且有货")
    assert timedelta(minutes=30) <= shipment.promised_at - NOW <= timedelta(minutes=60)
    assert shipment.eta_text.startswith("约") and shipment.eta_text.endswith("分钟送达")


def test_closed_and_out_of_radius_pharmacies_fall_back_to_warehouse_then_merchant(db, product, location, stock):
    pid = product()
    closed = location("pharmacy", lat=39.9100, lng=116.3975, opening_hours={"2": [["18:00", "22:00"]]})
    far = location("pharmacy", lat=40.0500, lng=116.3975, delivery_radius_km=3.0)  # ~15.7 km north
    warehouse = location("warehouse", name="北京自营仓", same_day_cutoff_hour=15, shipping_fee_cents=600)
    merchant = location("merchant", name="康复商城", shipping_fee_cents=0)
    for place in (closed, far, warehouse, merchant):
        stock(place, pid, 5, EXPIRY)
    plan = service.route_order(db, lines=[RouteLine(pid, 1)], destination=HOME, now=NOW)  # 10:00 local
    assert [(s.channel, s.eta_text) for s in plan.shipments] == [("warehouse", "今日送达")]
    after_cutoff = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)  # 16:30 local
    plan = service.route_order(db, lines=[RouteLine(pid, 1)], destination=HOME, now=after_cutoff)
    assert [(s.channel, s.eta_text) for s in plan.shipments] == [("warehouse", "明日送达")]
    shanghai = Destination(lat=31.23, lng=121.47, city_adcode="310101")
    plan = service.route_order(db, lines=[RouteLine(pid, 1)], destination=shanghai, now=NOW)
    assert [(s.channel, s.location_id) for s in plan.shipments] == [("merchant", merchant.id)]
    assert "2–4天" in plan.shipments[0].eta_text


def test_cold_chain_only_from_cold_chain_warehouse(db, product, location, stock):
    insulin = product("胰岛素注射液", cold_chain=True)
    ordinary_pid = product()
    cold = location("warehouse", name="北京冷链仓", cold_chain=True)
    plain = location("warehouse", name="北京常温仓", shipping_fee_cents=0)
    stock(cold, insulin, 5, EXPIRY)
    stock(plain, ordinary_pid, 5, EXPIRY)
    plan = service.route_order(db, lines=[RouteLine(insulin, 1, cold_chain=True)], destination=HOME, now=NOW)
    assert [s.location_id for s in plan.shipments] == [cold.id]
    assert "冷链" in plan.shipments[0].reason_zh


def test_near_expiry_and_reserved_stock_is_not_offered(db, product, location, stock):
    pid = product()
    pharmacy = location("pharmacy")
    stock(pharmacy, pid, 5, TODAY + timedelta(days=5))
    plan = service.route_order(db, lines=[RouteLine(pid, 1)], destination=HOME, now=NOW)
    assert plan.shipments == [] and "暂无货源" in plan.unroutable[0].reason_zh
    assert pid not in service.product_ids_in_stock_near(db, lat=HOME.lat, lng=HOME.lng, radius_km=3, now=NOW)
    stock(pharmacy, pid, 1, EXPIRY)
    assert pid in service.product_ids_in_stock_near(db, lat=HOME.lat, lng=HOME.lng, radius_km=3, now=NOW)


def test_geo_index_is_refreshed_when_a_pharmacy_is_added(db, product, location, stock):
    pid = product()
    merchant = location("merchant")
    stock(merchant, pid, 5, EXPIRY)
    assert [s.channel for s in service.route_order(db, lines=[RouteLine(pid, 1)], destination=HOME,
                                                   now=NOW).shipments] == ["merchant"]
    pharmacy = location("pharmacy", lat=39.9100, lng=116.3990)
    stock(pharmacy, pid, 5, EXPIRY)
    plan = service.route_order(db, lines=[RouteLine(pid, 1)], destination=HOME, now=NOW)
    assert [(s.channel, s.location_id) for s in plan.shipments] == [("instant", pharmacy.id)]
