"""The inventory domain's public API: what other domains (orders, catalogue) and our own routes call.

Contract for the orders domain (keyword-only; the caller owns the transaction):
- reserve(session, *, shipments: list[ShipmentHold], ttl, now) -> list[ReservationView]
- extend_order(session, *, shipments: list[ShipmentHold], until, now) -> list[ReservationView]
- commit_order(session, *, shipments: list[ShipmentHold], now) -> list[ReservationView]
- release_order(session, *, order_refs: list[str], reason, now) -> list[ReservationView]
  (each takes every shipment of one order in one call: their batches are locked together, in id order;
  shipment by shipment, two orders could lock them in opposite orders and deadlock)
- commit_reservation / release_reservation(session, *, order_ref, ...), and
  return_stock(session, *, order_ref, lines: list[ReturnLine] | None, reason, now) for one shipment
- expire_reservations(session, *, now) -> int  (a hold past expires_at is free stock even before this runs)
- route_order(session, *, lines: list[RouteLine], destination: Destination, now) -> RoutingPlan
- product_ids_in_stock_near(session, *, lat, lng, radius_km, now) -> set[int]
- inventory_turnover_days(session, *, start, end, location_id=None) -> Decimal | None
Shortages raise core.errors.Conflict with code "out-of-stock" and a message naming the product.
"""
from healthhub.inventory.fulfilment import product_ids_in_stock_near, route_order
from healthhub.inventory.locations import add_location, get_location, locations_of, managed_location
from healthhub.inventory.reports import inventory_turnover_days
from healthhub.inventory.reservations import (commit_order, commit_reservation, expire_reservations, extend_order,
                                              release_order, release_reservation, reservations_for, reserve,
                                              return_stock)
from healthhub.inventory.routing import (Destination, PlannedShipment, RouteLine, RoutingPlan,
                                         UnroutableLine)
from healthhub.inventory.schemas import ReservationView, ReserveLine, ReturnLine, ShipmentHold
from healthhub.inventory.stock import receive_stock, write_off

__all__ = [
    "Destination", "PlannedShipment", "ReservationView", "ReserveLine", "ReturnLine", "RouteLine", "RoutingPlan",
    "ShipmentHold", "UnroutableLine", "add_location", "commit_order", "commit_reservation", "expire_reservations",
    "extend_order", "get_location", "inventory_turnover_days", "locations_of", "managed_location",
    "product_ids_in_stock_near", "receive_stock", "release_order", "release_reservation", "reservations_for",
    "reserve", "return_stock", "route_order", "write_off",
]
