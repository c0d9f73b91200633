"""Manual stock writes (receipt, write-off) and the stock lists shown on pages and the API."""
from datetime import date, datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.errors import AppError, Conflict, NotFound, RuleViolation
from healthhub.inventory.config import inventory_settings
from healthhub.inventory.errors import ErrorCode
from healthhub.inventory.fefo import sellable_from
from healthhub.inventory.holds import free_stock
from healthhub.inventory.ledger import local_today, record_move, require_aware
from healthhub.inventory.models import Location, StockBatch, StockMove
from healthhub.inventory.products import require_product
from healthhub.inventory.reservations import lock_releasing_lapsed


def receive_stock(session: Session, *, location: Location, product_id: int, batch_no: str, expiry_date: date,
                  quantity: int, unit_cost_cents: int, now: datetime) -> tuple[StockBatch, StockMove]:
    """Books goods in: adds to the batch (same location, product and batch number) or opens it."""
    require_aware(now)
    product = require_product(session, product_id=product_id)
    if quantity <= 0 or unit_cost_cents < 0:
        raise AppError("入库数量须大于0，成本不能为负 / quantity must be positive and cost not negative",
                       code=ErrorCode.INVALID_QUANTITY)
    if expiry_date <= local_today(now):
        raise RuleViolation(f"批号{batch_no}已过期（{expiry_date}），不能入库 / an expired batch cannot be received",
                            code=ErrorCode.EXPIRED_RECEIPT)
    if location.kind == "warehouse" and product.is_drug and not location.handles_drugs:
        raise RuleViolation(f"{location.name}为非药品仓，不能存放药品{product.name} / this warehouse may not hold drugs",
                            code=ErrorCode.DRUG_IN_NON_DRUG_WAREHOUSE)
    if product.cold_chain and not location.cold_chain:
        raise RuleViolation(f"{product.name}需2–8℃冷链储存，{location.name}不具备冷链能力 / "
                            "cold-chain product needs a cold-chain capable location", code=ErrorCode.COLD_CHAIN_REQUIRED)
    session.execute(select(StockBatch.id).where(  # take the row lock, if the batch exists
        StockBatch.location_id == location.id, StockBatch.product_id == product_id,
        StockBatch.batch_no == batch_no).with_for_update())
    batch = session.execute(select(StockBatch).where(
        StockBatch.location_id == location.id, StockBatch.product_id == product_id,
        StockBatch.batch_no == batch_no).execution_options(populate_existing=True)).scalar_one_or_none()
    if batch is None:
        batch = StockBatch(product_id=product_id, location_id=location.id, batch_no=batch_no, expiry_date=expiry_date,
                           on_hand=0, reserved=0, unit_cost_cents=unit_cost_cents)
        session.add(batch)
        session.flush()
    elif batch.expiry_date != expiry_date or batch.unit_cost_cents != unit_cost_cents:
        raise Conflict(f"批号{batch_no}已登记为有效期{batch.expiry_date}、单位成本{batch.unit_cost_cents}分，与本次不一致 / "
                       "this batch number is already recorded with another expiry or cost", code=ErrorCode.BATCH_MISMATCH)
    batch.on_hand += quantity
    move = record_move(session, kind="receipt", batch=batch, quantity=quantity, reference=None,
                       reason="入库", now=now)
    session.flush()
    audit.record(session, action="inventory.receipt", entity_type="inventory_batch", entity_id=batch.id,
                 detail={"location_id": location.id, "product_id": product_id, "batch_no": batch_no,
                         "quantity": quantity, "unit_cost_cents": unit_cost_cents})
    return batch, move


def write_off(session: Session, *, batch_id: int, quantity: int, reason: str, now: datetime) -> StockMove:
    """Removes damaged or expired units; units held for orders cannot be written off."""
    require_aware(now)
    batches = lock_releasing_lapsed(session, batch_ids=[batch_id], now=now)  # lapsed holds do not block it
    if not batches:
        raise NotFound("批次不存在 / batch not found", code=ErrorCode.BATCH_NOT_FOUND)
    batch = batches[0]
    free = batch.on_hand - batch.reserved
    if quantity <= 0 or quantity > free:
        raise RuleViolation(f"报损数量须为1–{free}（在库{batch.on_hand}，已被订单预留{batch.reserved}）/ "
                            f"write-off must be 1–{free} units (reserved units cannot be written off)",
                            code=ErrorCode.WRITE_OFF_EXCEEDS_FREE_STOCK)
    batch.on_hand -= quantity
    move = record_move(session, kind="write_off", batch=batch, quantity=-quantity, reference=None, reason=reason,
                       now=now)
    session.flush()
    audit.record(session, action="inventory.write_off", entity_type="inventory_batch", entity_id=batch.id,
                 detail={"quantity": quantity, "reason": reason})
    return move


def batches_query(*, location_ids: list[int] | None) -> Select:
    query = select(StockBatch).order_by(StockBatch.expiry_date, StockBatch.id)
    return query if location_ids is None else query.where(StockBatch.location_id.in_(location_ids))


def near_expiry_query(*, now: datetime, location_ids: list[int] | None = None) -> Select:
    """Batches with units on hand expiring within the near-expiry window (expired ones included)."""
    horizon = sellable_from(local_today(now), inventory_settings().near_expiry_days)
    return batches_query(location_ids=location_ids).where(StockBatch.on_hand > 0, StockBatch.expiry_date < horizon)


def stock_outs_query(*, now: datetime, location_ids: list[int] | None = None) -> Select:
    """(product, location) pairs a location carries (has batches of) but cannot sell a single unit of."""
    threshold = sellable_from(local_today(now), inventory_settings().min_shelf_life_days)
    free = free_stock(now)
    sellable = func.sum(case((StockBatch.expiry_date >= threshold, free.units), else_=0))
    query = (free.join(select(StockBatch.product_id, StockBatch.location_id,
                              func.max(StockBatch.updated_at).label("last")))
             .group_by(StockBatch.product_id, StockBatch.location_id).having(sellable <= 0)
             .order_by(StockBatch.location_id, StockBatch.product_id))
    return query if location_ids is None else query.where(StockBatch.location_id.in_(location_ids))
