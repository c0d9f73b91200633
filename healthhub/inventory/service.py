"""The inventory domain's public API: what other domains (orders, catalogue) and our own routes call.

Contract for the orders domain (keyword-only; the caller owns the transaction):
- reserve(session, *, order_ref, lines: list[ReserveLine], ttl, now) -> list[ReservationView]
- commit_reservation(session, *, order_ref, now) -> list[ReservationView]
- extend_reservation(session, *, order_ref, until) -> int
- release_reservation(session, *, order_ref, reason, now) -> int
- return_stock(session, *, order_ref, lines: list[ReturnLine] | None, reason, now) -> list[ReservationView]
- expire_reservations(session, *, now) -> int  (a hold past expires_at is free stock even before this runs)
- route_order(session, *, lines: list[RouteLine], destination: Destination, now) -> RoutingPlan
- product_ids_in_stock_near(session, *, lat, lng, radius_km, now) -> set[int]
- inventory_turnover_days(session, *, start, end, location_id=None) -> Decimal | None
Shortages raise core.errors.Conflict with code "out-of-stock" and a message naming the product.
"""
from healthhub.inventory.fulfilment import product_ids_in_stock_near, route_order
from healthhub.inventory.locations import add_location, get_location, locations_of, managed_location
from healthhub.inventory.reports import inventory_turnover_days
from healthhub.inventory.reservations import (commit_reservation, expire_reservations, extend_reservation,
                                              release_reservation, reservations_for, reserve, return_stock)
from healthhub.inventory.routing import (Destination, PlannedShipment, RouteLine, RoutingPlan,
                                         UnroutableLine)
from healthhub.inventory.schemas import ReservationView, ReserveLine, ReturnLine
from healthhub.inventory.stock import receive_stock, write_off

__all__ = [
    "Destination", "PlannedShipment", "ReservationView", "ReserveLine", "ReturnLine", "RouteLine", "RoutingPlan",
    "UnroutableLine", "add_location", "commit_reservation", "expire_reservations", "extend_reservation",
    "get_location", "inventory_turnover_days", "locations_of", "managed_location", "product_ids_in_stock_near",
    "receive_stock", "release_reservation", "reservations_for", "reserve", "return_stock", "route_order", "write_off",
]
