"""The one FEFO (first-expiry-first-out) allocation routine. Every path that takes stock out of a
location (reservations, write-off suggestions, availability shown to routing and search) asks this
module which batches may be used, so "never sell a batch that expires too soon" lives in one place.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_MIN_SHELF_LIFE_DAYS = 30


@dataclass(frozen=True)
class BatchStock:
    """What FEFO needs to know about one batch at one location."""

    batch_id: int
    expiry_date: date
    available: int  # on hand minus reserved


@dataclass(frozen=True)
class Allocation:
    batch_id: int
    expiry_date: date
    quantity: int


class Shortfall(Exception):
    """Not enough sellable stock; `allocatable` says how much could have been given."""

    def __init__(self, requested: int, allocatable: int):
        super().__init__(f"requested {requested}, only {allocatable} sellable")
        self.requested = requested
        self.allocatable = allocatable


def sellable_from(today: date, min_shelf_life_days: int = DEFAULT_MIN_SHELF_LIFE_DAYS) -> date:
    """The earliest expiry date a batch may carry to be sold today.

    A batch expiring on `today + N days` still has N days of shelf life left and is allowed; an
    expired batch (expiry before today) is never allowed, even with N = 0.
    """
    if min_shelf_life_days < 0:
        raise ValueError("minimum shelf life cannot be negative")
    return today + timedelta(days=min_shelf_life_days)


def is_sellable(expiry_date: date, *, today: date, min_shelf_life_days: int = DEFAULT_MIN_SHELF_LIFE_DAYS) -> bool:
    return expiry_date >= sellable_from(today, min_shelf_life_days)


def _usable(batches: Iterable[BatchStock], today: date, min_shelf_life_days: int) -> list[BatchStock]:
    threshold = sellable_from(today, min_shelf_life_days)
    # Same expiry: the older batch (lower id, received earlier) goes first, so the order is deterministic.
    return sorted((b for b in batches if b.available > 0 and b.expiry_date >= threshold),
                  key=lambda b: (b.expiry_date, b.batch_id))


def allocatable_quantity(batches: Iterable[BatchStock], *, today: date,
                         min_shelf_life_days: int = DEFAULT_MIN_SHELF_LIFE_DAYS) -> int:
    return sum(b.available for b in _usable(batches, today, min_shelf_life_days))


def allocate(batches: Iterable[BatchStock], quantity: int, *, today: date,
             min_shelf_life_days: int = DEFAULT_MIN_SHELF_LIFE_DAYS) -> list[Allocation]:
    """Splits `quantity` over batches earliest-expiry-first; raises Shortfall when it cannot be met whole."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    usable = _usable(batches, today, min_shelf_life_days)
    allocations: list[Allocation] = []
    remaining = quantity
    for batch in usable:
        take = min(batch.available, remaining)
        allocations.append(Allocation(batch.batch_id, batch.expiry_date, take))
        remaining -= take
        if remaining == 0:
            return allocations
    raise Shortfall(quantity, quantity - remaining)
