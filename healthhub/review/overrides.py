"""Per-tenant rule overrides, validated by the engine's `RuleOverrides` (the law's floor lives there:
BANNED and FORMAT rules are never disabled nor lowered). Stored one row per rule."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from healthhub.core import audit
from healthhub.core.errors import NotFound, RuleViolation
from healthhub.review.engine import RULES, RuleOverrides
from healthhub.review.errors import ErrorCode
from healthhub.review.models import RuleOverride, Tenant


def _engine_overrides(rows: list[RuleOverride]) -> RuleOverrides:
    return RuleOverrides(disabled=frozenset(r.rule for r in rows if r.disabled),
                         severity={r.rule: r.severity for r in rows if r.severity and not r.disabled})


def list_overrides(session: Session, *, tenant: Tenant) -> list[RuleOverride]:
    return list(session.execute(select(RuleOverride).where(RuleOverride.tenant_id == tenant.id)
                                .order_by(RuleOverride.rule)).scalars())


def for_tenant(session: Session, *, tenant: Tenant | None) -> tuple[RuleOverrides | None, list[dict]]:
    """The engine overrides for a tenant and a snapshot of them to store with each review."""
    if tenant is None:
        return None, []
    rows = list_overrides(session, tenant=tenant)
    if not rows:
        return None, []
    return _engine_overrides(rows), [{"rule": r.rule, "disabled": r.disabled, "severity": r.severity} for r in rows]


def set_override(session: Session, *, tenant: Tenant, rule: str, disabled: bool, severity: str | None,
                 actor_user_id: int | None) -> RuleOverride:
    if rule not in RULES:
        raise NotFound(f"规则 {rule} 不存在 / unknown rule {rule}", code=ErrorCode.RULE_NOT_FOUND)
    if not disabled and severity is None:
        raise RuleViolation("请选择停用或新的严重程度 / choose to disable the rule or give a new severity",
                            code=ErrorCode.OVERRIDE_EMPTY)
    try:
        RuleOverrides(disabled=frozenset({rule}) if disabled else frozenset(),
                      severity={} if disabled else {rule: severity})
    except ValueError as exc:
        raise RuleViolation(str(exc), code=ErrorCode.OVERRIDE_BELOW_FLOOR, rule=rule) from exc
    row = session.execute(select(RuleOverride).where(RuleOverride.tenant_id == tenant.id, RuleOverride.rule == rule)
                          ).scalar_one_or_none()
    before = None if row is None else {"disabled": row.disabled, "severity": row.severity}
    if row is None:
        row = RuleOverride(tenant_id=tenant.id, rule=rule)
        session.add(row)
    row.disabled, row.severity, row.updated_by_user_id = disabled, None if disabled else severity, actor_user_id
    session.flush()
    audit.record(session, action="review.override.set", entity_type="review_tenant", entity_id=tenant.id,
                 detail={"rule": rule, "before": before, "after": {"disabled": row.disabled, "severity": row.severity}})
    return row


def clear_override(session: Session, *, tenant: Tenant, rule: str) -> None:
    row = session.execute(select(RuleOverride).where(RuleOverride.tenant_id == tenant.id, RuleOverride.rule == rule)
                          ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"租户未覆盖规则 {rule} / no override for {rule}", code=ErrorCode.OVERRIDE_NOT_FOUND)
    session.delete(row)
    session.flush()
    audit.record(session, action="review.override.clear", entity_type="review_tenant", entity_id=tenant.id,
                 detail={"rule": rule})


def catalogue() -> list[dict]:
    return [{"id": rule.id, "family": rule.family.value, "severity": rule.severity.value,
             "description": f"{rule.description_zh} / {rule.description_en}", "locked": rule.floor is not None,
             "floor": rule.floor.value if rule.floor else None} for rule in RULES.values()]
