"""Reservations: the stock side of checkout. Hold (reserve) -> sell (commit) or give back (release,
expiry); after a refund, committed stock goes back into the very batches it came from (return).

An order holds stock shipment by shipment, each under its own order_ref; the `*_order` functions (and
`reserve`) take every shipment of one order at once. Every function locks the batch rows it touches in
primary-key order, in one statement, first and only then reads or changes reservations; a reservation's
status changes only under its batch's lock. Locked shipment by shipment in routing order instead, two
orders over the same batches could take them in opposite orders and deadlock. The caller owns the
transaction (these functions flush, never commit).
"""
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.errors import AppError, Conflict, NotFound, RuleViolation
from healthhub.core.public_ids import encode
from healthhub.inventory.config import inventory_settings
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.fefo import BatchStock, Shortfall, allocate
from healthhub.inventory.holds import lapsed
from healthhub.inventory.ledger import batches_matching, local_today, lock_batches, record_move, require_aware
from healthhub.inventory.models import Location, Reservation, StockBatch
from healthhub.inventory.products import product_name
from healthhub.inventory.schemas import ReservationView, ReserveLine, ReturnLine, ShipmentHold

ACTIVE = ("held", "committed")


def _view(reservation: Reservation, batch: StockBatch) -> ReservationView:
    return ReservationView(
        id=reservation.id, order_ref=reservation.order_ref, product_id=reservation.product_id,
        location_id=reservation.location_id, batch_id=reservation.batch_id, batch_no=batch.batch_no,
        expiry_date=batch.expiry_date, quantity=reservation.quantity, returned_quantity=reservation.returned_quantity,
        status=reservation.status, expires_at=reservation.expires_at, unit_cost_cents=batch.unit_cost_cents)


def _views(session: Session, reservations: Sequence[Reservation]) -> list[ReservationView]:
    batches = {b.id: b for b in session.execute(select(StockBatch).where(
        StockBatch.id.in_({r.batch_id for r in reservations}))).scalars()} if reservations else {}
    return [_view(r, batches[r.batch_id]) for r in sorted(reservations, key=lambda r: r.id)]


def _reservations_of(session: Session, order_refs: Sequence[str], statuses: Sequence[str]) -> list[Reservation]:
    if not order_refs:
        return []
    return list(session.execute(select(Reservation).where(
        Reservation.order_ref.in_(order_refs), Reservation.status.in_(statuses)).order_by(Reservation.id)
        .execution_options(populate_existing=True)).scalars())


def _resolve(reservation: Reservation, batch: StockBatch, *, status: str, reason: str, now: datetime) -> None:
    batch.reserved -= reservation.quantity
    reservation.status = status
    reservation.resolved_at = now
    reservation.resolution_reason = reason[:255]


def _validate_ref(order_ref: str) -> str:
    if not order_ref or len(order_ref) > 64:
        raise AppError("订单号须为1–64个字符 / order_ref must be 1–64 characters", code=ErrorCode.INVALID_ORDER_REF)
    return order_ref


def _expire_whole_orders(session: Session, holds: Sequence[Reservation], batches: dict[int, StockBatch],
                        now: datetime) -> int:
    """Expires the orders of `holds` whose every held batch is locked (in `batches`); an order is never
    left half held, so one with a hold on a batch we do not hold the lock of is left alone."""
    by_order: dict[str, list[Reservation]] = defaultdict(list)
    for reservation in holds:
        by_order[reservation.order_ref].append(reservation)
    expired = 0
    for order_holds in by_order.values():
        # Re-checked under the lock: a payment may have committed or extended it while we waited.
        if all(r.batch_id in batches for r in order_holds) and any(r.expires_at <= now for r in order_holds):
            for reservation in order_holds:
                _resolve(reservation, batches[reservation.batch_id], status="expired", reason="预留超时自动释放",
                         now=now)
            expired += len(order_holds)
    return expired


def lock_releasing_lapsed(session: Session, *, now: datetime, batch_ids: Collection[int] = (),
                          product_locations: Collection[tuple[int, int]] = ()) -> list[StockBatch]:
    """Locks the batches asked for (as `lock_batches` does) after releasing every lapsed hold on them,
    so the caller reads free stock the way routing and search already count it (holds.py).

    A lapsed order's holds on other batches are released with it, so those batches are locked too,
    in the same single ordered statement: the global lock order stays intact. Returns only the
    batches asked for."""
    return _lock_releasing_lapsed(session, now=now, batch_ids=batch_ids, product_locations=product_locations)[0]


def _lock_releasing_lapsed(session: Session, *, now: datetime, batch_ids: Collection[int] = (),
                           product_locations: Collection[tuple[int, int]] = (), order_refs: Collection[str] = (),
                           keep_lapsed: bool = False) -> tuple[list[StockBatch], list[Reservation]]:
    """`lock_releasing_lapsed`, also returning the active reservations of `order_refs` as they stand after
    the release, read under the lock in the same statement that finds the lapsed holds. `keep_lapsed`:
    the lapsed holds of `order_refs` themselves stay (the caller is about to extend or sell them)."""
    if not batch_ids and not product_locations:
        return [], []
    # An unlocked look-up (inside the locking statement) of which other batches to lock; everything is
    # re-read and re-checked under the lock.
    stale = select(Reservation.order_ref).join(StockBatch, StockBatch.id == Reservation.batch_id).where(
        batches_matching(batch_ids, product_locations), lapsed(now))
    also = select(Reservation.batch_id).where(Reservation.order_ref.in_(stale.correlate(None)),
                                              Reservation.status == "held")
    batches = lock_batches(session, batch_ids=batch_ids, product_locations=product_locations, also=also)
    locked = {b.id: b for b in batches}
    is_stale = and_(Reservation.batch_id.in_(locked), lapsed(now)) if locked else false()
    refs = sorted(set(order_refs))
    wanted = or_(is_stale, and_(Reservation.order_ref.in_(refs), Reservation.status.in_(ACTIVE))) if refs else is_stale
    found = session.execute(select(Reservation, is_stale).where(wanted).order_by(Reservation.id)
                            .execution_options(populate_existing=True)).all()
    kept = set(refs) if keep_lapsed else set()
    stale_refs = sorted({reservation.order_ref for reservation, stale_hold in found if stale_hold} - kept)
    if stale_refs:
        _expire_whole_orders(session, _reservations_of(session, stale_refs, ("held",)), locked, now)
        session.flush()
    pairs, ids = set(product_locations), set(batch_ids)
    # Expiring changed these very objects, so a hold of `order_refs` that was released is no longer active here.
    active = [r for r, _ in found if r.order_ref in refs and r.status in ACTIVE]
    return [b for b in batches if b.id in ids or (b.product_id, b.location_id) in pairs], active


def _validate_shipments(shipments: Sequence[ShipmentHold]) -> None:
    if not shipments or not all(shipment.lines for shipment in shipments):
        raise AppError("至少需要一行商品 / at least one line is required", code=ErrorCode.EMPTY_RESERVATION)
    refs = [_validate_ref(shipment.order_ref) for shipment in shipments]
    if len(set(refs)) != len(refs):
        raise AppError("每个发货单须有自己的预留号 / each shipment needs its own order_ref", code=ErrorCode.DUPLICATE_ORDER_REF)
    for shipment in shipments:
        for line in shipment.lines:
            if line.quantity <= 0:
                raise AppError(f"商品 {encode(line.product_id)} 数量必须大于0 / quantity must be positive",
                               code=ErrorCode.INVALID_QUANTITY)


def _active_locations(session: Session, location_ids: set[int]) -> dict[int, str]:
    """Location id -> name, once every location is known to exist and to ship."""
    if not location_ids:
        return {}
    locations = {loc.id: loc for loc in session.execute(select(Location.id, Location.name, Location.is_active).where(
        Location.id.in_(location_ids)))}
    for location_id in sorted(location_ids):
        location = locations.get(location_id)
        if location is None:
            raise NotFound(f"发货点 {encode(location_id)} 不存在 / stock location not found",
                           code=ErrorCode.LOCATION_NOT_FOUND)
        if not location.is_active:
            raise Conflict(f"{location.name}已停用，不能发货 / {location.name} is not active", code=ErrorCode.LOCATION_INACTIVE)
    return {location_id: location.name for location_id, location in locations.items()}


def _plan_fefo(session: Session, shipments: Sequence[ShipmentHold], batches: Sequence[StockBatch],
               location_names: dict[int, str], *, now: datetime, min_shelf_life_days: int | None
               ) -> list[tuple[str, ReserveLine, int, int]]:
    """(order_ref, line, batch id, quantity) for every line of every shipment, planned before anything
    changes, so a shortfall on the last line leaves the first ones untouched."""
    shelf_life = inventory_settings().min_shelf_life_days if min_shelf_life_days is None else min_shelf_life_days
    today = local_today(now)
    available = {b.id: b.on_hand - b.reserved for b in batches}
    planned = []
    for shipment in shipments:
        for line in shipment.lines:
            candidates = [BatchStock(b.id, b.expiry_date, available[b.id]) for b in batches
                          if b.product_id == line.product_id and b.location_id == line.location_id]
            try:
                allocations = allocate(candidates, line.quantity, today=today, min_shelf_life_days=shelf_life)
            except Shortfall as short:
                name, location_name = product_name(session, product_id=line.product_id), location_names[line.location_id]
                raise Conflict(f"{name}在{location_name}库存不足：需要{line.quantity}件，可售{short.allocatable}件 / "
                               f"{name} is out of stock at {location_name}: {line.quantity} requested, "
                               f"{short.allocatable} available", code=ErrorCode.OUT_OF_STOCK, product_id=line.product_id,
                               location_id=line.location_id, requested=line.quantity,
                               available=short.allocatable) from None
            for allocation in allocations:
                available[allocation.batch_id] -= allocation.quantity
                planned.append((shipment.order_ref, line, allocation.batch_id, allocation.quantity))
    return planned


def _hold(session: Session, shipments: Sequence[ShipmentHold], *, until: datetime, now: datetime,
          keep_lapsed: bool, min_shelf_life_days: int | None = None
          ) -> tuple[list[Reservation], list[Reservation], dict[int, StockBatch]]:
    """Locks every batch the shipments can draw on (releasing other orders' lapsed holds there), then holds
    stock until `until`, FEFO over each line's location, for each shipment that holds and has bought
    nothing. Returns the shipments' reservations that were active already, those made now, and the
    locked batches by id. A shortfall raises Conflict(code="out-of-stock") naming the product before
    anything is held."""
    batches, existing = _lock_releasing_lapsed(
        session, now=now, product_locations={(line.product_id, line.location_id)
                                             for shipment in shipments for line in shipment.lines},
        order_refs=[shipment.order_ref for shipment in shipments], keep_lapsed=keep_lapsed)
    kept_refs = {reservation.order_ref for reservation in existing}
    missing = [shipment for shipment in shipments if shipment.order_ref not in kept_refs]
    location_names = _active_locations(session, {line.location_id for shipment in missing for line in shipment.lines})
    planned = _plan_fefo(session, missing, batches, location_names, now=now, min_shelf_life_days=min_shelf_life_days)

    locked = {b.id: b for b in batches}
    created = []
    for order_ref, line, batch_id, quantity in planned:
        locked[batch_id].reserved += quantity
        reservation = Reservation(order_ref=order_ref, product_id=line.product_id, location_id=line.location_id,
                                  batch_id=batch_id, quantity=quantity, returned_quantity=0, status="held",
                                  expires_at=until, created_at=now)
        session.add(reservation)
        created.append(reservation)
    session.flush()
    return existing, created, locked


def _by_shipment(session: Session, shipments: Sequence[ShipmentHold], existing: Sequence[Reservation],
                 created: Sequence[Reservation], batches: dict[int, StockBatch]) -> list[ReservationView]:
    """Views of what `_hold` returned, shipment by shipment in the order given."""
    views = _views(session, existing) + [_view(r, batches[r.batch_id]) for r in created]
    return [view for shipment in shipments for view in views if view.order_ref == shipment.order_ref]


def reserve(session: Session, *, shipments: Sequence[ShipmentHold], ttl: timedelta, now: datetime,
            min_shelf_life_days: int | None = None) -> list[ReservationView]:
    """Holds stock for every shipment of one order (FEFO over each line's location), each under its own
    order_ref, all of their batches locked in one statement, in id order, before any is allocated.

    Idempotent per order_ref: a shipment that holds or has bought stock gets those reservations back
    unchanged (a hold that has lapsed is released and taken anew). Raises Conflict(code="out-of-stock")
    naming the product when a line cannot be met; no shipment holds anything new then. Views come back
    shipment by shipment, in the order given."""
    require_aware(now)
    _validate_shipments(shipments)
    if ttl <= timedelta(0):
        raise AppError("预留时长必须为正 / ttl must be positive", code=ErrorCode.INVALID_TTL)
    existing, created, batches = _hold(session, shipments, until=now + ttl, now=now, keep_lapsed=False,
                                       min_shelf_life_days=min_shelf_life_days)
    return _by_shipment(session, shipments, existing, created, batches)


def extend_order(session: Session, *, shipments: Sequence[ShipmentHold], until: datetime, now: datetime
                 ) -> list[ReservationView]:
    """Keeps the stock of every shipment of one order (as reserved) held until `until`; a hold is never
    shortened. A hold past its expiry that no sweep has released yet is kept too: it still counts in
    `reserved` under the lock taken here. A shipment that holds nothing any more (released, swept) takes
    stock again; when it is gone, Conflict(code="out-of-stock") and nothing changes. Sold shipments are
    left as they are."""
    require_aware(now)
    require_aware(until)
    _validate_shipments(shipments)
    existing, created, batches = _hold(session, shipments, until=until, now=now, keep_lapsed=True)
    for reservation in existing:
        if reservation.status == "held":
            reservation.expires_at = max(reservation.expires_at, until)
    session.flush()
    return _by_shipment(session, shipments, existing, created, batches)


def commit_order(session: Session, *, shipments: Sequence[ShipmentHold], now: datetime) -> list[ReservationView]:
    """Sells the held stock of every shipment of one order (as reserved): on hand goes down, sale moves
    are written. A shipment whose hold was released or swept takes stock again first; when it is gone,
    Conflict(code="out-of-stock") and nothing is sold. Idempotent: sold shipments stay as they are."""
    require_aware(now)
    _validate_shipments(shipments)
    # A hold taken again here is sold in the same breath, so it needs no time of its own.
    existing, created, batches = _hold(session, shipments, until=now, now=now, keep_lapsed=True)
    _sell(session, [r for r in existing + created if r.status == "held"], batches, now)
    return _by_shipment(session, shipments, existing, created, batches)


def release_order(session: Session, *, order_refs: Sequence[str], reason: str, now: datetime
                  ) -> list[ReservationView]:
    """Gives back everything the shipments of one order hold or have bought: holds are released and sold
    units not yet returned go back into the batches they left (return moves). Idempotent; returns the
    reservations it changed."""
    require_aware(now)
    active, batches = _locked_holds(session, [_validate_ref(ref) for ref in order_refs], ACTIVE)
    held = [r for r in active if r.status == "held"]
    sold = [(r, r.quantity - r.returned_quantity) for r in active if r.status == "committed" and
            r.returned_quantity < r.quantity]
    for reservation in held:
        _resolve(reservation, batches[reservation.batch_id], status="released", reason=reason or "已释放", now=now)
    _put_back(session, sold, batches, reason=reason, now=now)
    return [_view(r, batches[r.batch_id]) for r in held + [r for r, _ in sold]]


def _locked_holds(session: Session, order_refs: Sequence[str], statuses: Sequence[str]
                  ) -> tuple[list[Reservation], dict[int, StockBatch]]:
    """Locks the batches behind the orders' reservations, then re-reads the reservations under the lock."""
    batch_ids = set(session.execute(select(Reservation.batch_id).where(
        Reservation.order_ref.in_(order_refs), Reservation.status.in_(statuses))).scalars()) if order_refs else set()
    batches = {b.id: b for b in lock_batches(session, batch_ids=batch_ids)}
    return _reservations_of(session, order_refs, statuses), batches


def commit_reservation(session: Session, *, order_ref: str, now: datetime) -> list[ReservationView]:
    """Turns the order's held stock into a sale (on hand goes down, sale moves are written).
    Idempotent: an already committed order returns its reservations. An order without held stock
    (released or expired) raises Conflict(code="reservation-not-held")."""
    require_aware(now)
    held, batches = _locked_holds(session, [_validate_ref(order_ref)], ("held",))
    if not held:
        committed = _reservations_of(session, [order_ref], ("committed",))
        if committed:
            return _views(session, committed)
        raise Conflict(f"订单{order_ref}没有有效的库存预留（可能已超时释放）/ order {order_ref} holds no stock "
                       "(the reservation may have expired)", code=ErrorCode.RESERVATION_NOT_HELD)
    _sell(session, held, batches, now)
    return _views(session, _reservations_of(session, [order_ref], ("committed",)))


def _sell(session: Session, held: Sequence[Reservation], batches: dict[int, StockBatch], now: datetime) -> None:
    """Turns locked holds into sales: on hand goes down, a sale move per hold, an audit record per order_ref."""
    for reservation in held:
        batch = batches[reservation.batch_id]
        batch.on_hand -= reservation.quantity
        _resolve(reservation, batch, status="committed", reason="已售出", now=now)
        record_move(session, kind="sale", batch=batch, quantity=-reservation.quantity,
                    reference=reservation.order_ref, reason="订单出库", now=now)
    session.flush()
    for order_ref in dict.fromkeys(r.order_ref for r in held):
        audit.record(session, action="inventory.sale", entity_type="order", entity_id=order_ref,
                     detail={"lines": [{"batch_id": r.batch_id, "product_id": r.product_id, "quantity": r.quantity}
                                       for r in held if r.order_ref == order_ref]})


def release_reservation(session: Session, *, order_ref: str, reason: str, now: datetime) -> int:
    """Gives the order's held stock back; returns how many holds were released (0 when none: idempotent)."""
    require_aware(now)
    held, batches = _locked_holds(session, [_validate_ref(order_ref)], ("held",))
    for reservation in held:
        _resolve(reservation, batches[reservation.batch_id], status="released", reason=reason or "已释放", now=now)
    session.flush()
    return len(held)


def expire_reservations(session: Session, *, now: datetime) -> int:
    """Releases every order that still holds stock past its expiry (abandoned checkouts). Whole orders
    are expired together, so an order is never left half held. Returns the number of holds released."""
    require_aware(now)
    stale_refs = sorted(set(session.execute(select(Reservation.order_ref).where(lapsed(now))).scalars()))
    held, batches = _locked_holds(session, stale_refs, ("held",))
    released = _expire_whole_orders(session, held, batches, now)
    session.flush()
    return released


def return_stock(session: Session, *, order_ref: str, lines: list[ReturnLine] | None, reason: str,
                 now: datetime) -> list[ReservationView]:
    """After a refund: puts sold units back into the batches they left (return moves). `lines=None`
    returns everything not yet returned. Returning more than was sold is refused and changes nothing."""
    require_aware(now)
    committed, batches = _locked_holds(session, [_validate_ref(order_ref)], ("committed",))
    outstanding = {r.id: r.quantity - r.returned_quantity for r in committed}
    if lines is None:
        plan = [(r, outstanding[r.id]) for r in committed if outstanding[r.id] > 0]
    else:
        if not committed:
            raise Conflict(f"订单{order_ref}没有已出库的商品可退 / order {order_ref} has no sold stock to return",
                           code=ErrorCode.NOTHING_TO_RETURN)
        plan = []
        for line in lines:
            remaining = line.quantity
            sold = [r for r in committed if r.product_id == line.product_id]
            if line.quantity <= 0 or remaining > sum(outstanding[r.id] for r in sold):
                name = product_name(session, product_id=line.product_id)
                raise RuleViolation(f"{name}退回数量{line.quantity}超过可退数量{sum(outstanding[r.id] for r in sold)} / "
                                    f"cannot return {line.quantity} of {name}: more than sold and not yet returned",
                                    code=ErrorCode.RETURN_EXCEEDS_SOLD, product_id=line.product_id)
            for reservation in sold:
                take = min(remaining, outstanding[reservation.id])
                if take:
                    plan.append((reservation, take))
                    outstanding[reservation.id] -= take
                    remaining -= take
    _put_back(session, plan, batches, reason=reason, now=now)
    return _views(session, [r for r, _ in plan])


def _put_back(session: Session, plan: Sequence[tuple[Reservation, int]], batches: dict[int, StockBatch], *,
              reason: str, now: datetime) -> None:
    """Puts (sold reservation, units) back into their locked batches: a return move each, an audit record
    per order_ref."""
    for reservation, quantity in plan:
        batch = batches[reservation.batch_id]
        batch.on_hand += quantity
        reservation.returned_quantity += quantity
        record_move(session, kind="return", batch=batch, quantity=quantity, reference=reservation.order_ref,
                    reason=reason or "退款退货", now=now)
    session.flush()
    for order_ref in dict.fromkeys(r.order_ref for r, _ in plan):
        audit.record(session, action="inventory.return", entity_type="order", entity_id=order_ref,
                     detail={"reason": reason, "lines": [{"batch_id": r.batch_id, "product_id": r.product_id,
                                                          "quantity": q} for r, q in plan if r.order_ref == order_ref]})


def reservations_for(session: Session, *, order_ref: str) -> list[ReservationView]:
    """All reservations of an order in any status (for order pages and support)."""
    return _views(session, _reservations_of(session, [order_ref], ("held", "committed", "released", "expired")))
