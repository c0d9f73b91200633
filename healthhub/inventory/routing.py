"""Channel routing as a pure decision over plain candidate data (the service gathers candidates).

Objective, in order:
1. earliest promised delivery per line, compared at the slot the customer sees (within two hours,
   today, tomorrow, in N days): a parcel 5 minutes later in the same slot is not "later";
2. fewest shipments (one parcel beats two that each arrive a few minutes apart);
3. the latest exact promise of the order, then total shipping cost, then location id (determinism).
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from healthhub.core.dates import CHINA

INSTANT_SLOT = timedelta(hours=2)
# Enough for any realistic basket; past it the search returns its best plan so far (it finds a
# cover on its first, greedy descent, so a plan always exists).
MAX_SEARCH_NODES = 20_000

Channel = Literal["instant", "warehouse", "merchant"]


@dataclass(frozen=True)
class RouteLine:
    product_id: int
    quantity: int
    cold_chain: bool = False


@dataclass(frozen=True)
class Destination:
    lat: float
    lng: float
    city_adcode: str


@dataclass(frozen=True)
class Candidate:
    """One location that can reach the destination, with what it has and what it promises."""

    channel: Channel
    location_id: int
    location_name: str
    stock: Mapping[int, int]  # product id -> FEFO-sellable quantity
    cold_chain: bool
    promised_at: datetime
    eta_text: str
    cost_cents: int
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class PlannedShipment:
    channel: Channel
    location_id: int
    location_name: str
    lines: list[RouteLine]
    promised_at: datetime
    eta_text: str
    cost_cents: int
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class UnroutableLine:
    line: RouteLine
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class RoutingPlan:
    shipments: list[PlannedShipment] = field(default_factory=list)
    unroutable: list[UnroutableLine] = field(default_factory=list)

    @property
    def total_cost_cents(self) -> int:
        return sum(s.cost_cents for s in self.shipments)

    @property
    def fully_routed(self) -> bool:
        return not self.unroutable and bool(self.shipments)


def delivery_slot(promised_at: datetime, now: datetime) -> int:
    """0 = within two hours; otherwise 1 + calendar days from today in China (1 today, 2 tomorrow...)."""
    if promised_at - now <= INSTANT_SLOT:
        return 0
    return 1 + (promised_at.astimezone(CHINA).date() - now.astimezone(CHINA).date()).days


def merge_lines(lines: Iterable[RouteLine]) -> list[RouteLine]:
    """One line per product: two lines of the same product must come from stock counted together."""
    merged: dict[int, RouteLine] = {}
    for line in lines:
        if line.quantity <= 0:
            raise ValueError("quantity must be positive")
        seen = merged.get(line.product_id)
        merged[line.product_id] = line if seen is None else RouteLine(
            line.product_id, seen.quantity + line.quantity, seen.cold_chain or line.cold_chain)
    return list(merged.values())


def _unroutable_reason(line: RouteLine, candidates: Sequence[Candidate]) -> UnroutableLine:
    if line.cold_chain and any(c.stock.get(line.product_id, 0) >= line.quantity for c in candidates):
        return UnroutableLine(line, "冷链商品（2–8℃）只能由具备冷链能力的仓库或门店配送，您所在地区暂无有货的冷链渠道",
                              "cold-chain item (2–8 °C): no cold-chain capable source with stock serves your area")
    most = max((c.stock.get(line.product_id, 0) for c in candidates), default=0)
    if most > 0:
        return UnroutableLine(line, f"库存不足：需要{line.quantity}件，单个发货点最多可供{most}件",
                              f"not enough stock: {line.quantity} needed, at most {most} at any one source")
    return UnroutableLine(line, "暂无货源：附近药房、覆盖您城市的仓库和第三方商家均无库存",
                          "out of stock: no pharmacy nearby, warehouse covering your city or merchant has it")


def _rank(candidate: Candidate) -> tuple:
    return candidate.promised_at, candidate.cost_cents, candidate.location_id


def _plan_key(chosen: Sequence[Candidate]) -> tuple:
    return (len(chosen), max(c.promised_at for c in chosen), sum(c.cost_cents for c in chosen),
            sorted(c.location_id for c in chosen))


def _min_cover(options: dict[int, list[Candidate]]) -> list[Candidate]:
    """Fewest candidates covering every line (branch and bound over distinct coverage sets)."""
    coverage: dict[int, frozenset[int]] = {}
    for line_index, line_options in options.items():
        for candidate in line_options:
            coverage[candidate.location_id] = coverage.get(candidate.location_id, frozenset()) | {line_index}
    # Candidates that cover the same lines are interchangeable for the count; keep the best of each.
    best_by_cover: dict[frozenset[int], Candidate] = {}
    for line_options in options.values():
        for candidate in line_options:
            cover = coverage[candidate.location_id]
            if cover not in best_by_cover or _rank(candidate) < _rank(best_by_cover[cover]):
                best_by_cover[cover] = candidate
    groups = sorted(best_by_cover.items(), key=lambda item: (-len(item[0]), _rank(item[1])))

    best: list[Candidate] | None = None
    nodes = 0

    def search(uncovered: frozenset[int], chosen: list[Candidate]) -> None:
        nonlocal best, nodes
        nodes += 1
        if not uncovered:
            if best is None or _plan_key(chosen) < _plan_key(best):
                best = list(chosen)
            return
        if nodes > MAX_SEARCH_NODES or (best is not None and len(chosen) + 1 > len(best)):
            return
        line_index = min(uncovered, key=lambda i: sum(1 for cover, _ in groups if i in cover))
        for cover, candidate in groups:
            if line_index in cover:
                chosen.append(candidate)
                search(uncovered - cover, chosen)
                chosen.pop()

    search(frozenset(options), [])
    return best or []


def plan_route(lines: Iterable[RouteLine], candidates: Sequence[Candidate], *, now: datetime) -> RoutingPlan:
    merged = merge_lines(lines)
    unroutable: list[UnroutableLine] = []
    options: dict[int, list[Candidate]] = {}
    for index, line in enumerate(merged):
        able = [c for c in candidates if c.stock.get(line.product_id, 0) >= line.quantity
                and (c.cold_chain or not line.cold_chain)]
        if not able:
            unroutable.append(_unroutable_reason(line, candidates))
            continue
        best_slot = min(delivery_slot(c.promised_at, now) for c in able)
        options[index] = [c for c in able if delivery_slot(c.promised_at, now) == best_slot]
    if not options:
        return RoutingPlan([], unroutable)

    chosen = _min_cover(options)
    chosen_ids = {c.location_id for c in chosen}
    assigned: dict[int, list[RouteLine]] = {}
    for index, line_options in options.items():
        source = min((c for c in line_options if c.location_id in chosen_ids), key=_rank)
        assigned.setdefault(source.location_id, []).append(merged[index])

    shipments = []
    for candidate in sorted(chosen, key=_rank):
        if candidate.location_id not in assigned:
            continue
        reason_zh, reason_en = candidate.reason_zh, candidate.reason_en
        # Said only of a shipment that carries cold-chain goods: a cold site ships ordinary goods as usual.
        if any(line.cold_chain for line in assigned[candidate.location_id]):
            reason_zh += "，全程2–8℃冷链"
            reason_en += ", 2–8 °C cold chain"
        if delivery_slot(candidate.promised_at, now) > 0:
            reason_zh += "（附近没有更快的渠道有货）"
            reason_en += " (no faster channel had stock)"
        shipments.append(PlannedShipment(candidate.channel, candidate.location_id, candidate.location_name,
                                         assigned[candidate.location_id], candidate.promised_at,
                                         candidate.eta_text, candidate.cost_cents, reason_zh, reason_en))
    return RoutingPlan(shipments, unroutable)
