"""Family-doctor decisions as pure functions: entitlement use and renewal dates."""
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Entitlement:
    status: str
    ends_at: datetime | None
    total: int
    used: int


def is_running(entitlement: Entitlement, now: datetime) -> bool:
    """Paid and within its period: the contract stands (IDT-01 contract services), used up or not."""
    return entitlement.status == "ACTIVE" and entitlement.ends_at is not None and entitlement.ends_at > now


def use_refusal(entitlement: Entitlement, now: datetime) -> str | None:
    """Why one more included consultation cannot be used, or None when it can."""
    if entitlement.status == "PENDING_PAYMENT":
        return "服务包尚未支付 / the package is not paid yet"
    if not is_running(entitlement, now):
        return "服务包已过期，请续费 / the package has expired, please renew"
    if entitlement.used >= entitlement.total:
        return "服务包内的问诊次数已用完 / no included consultations left"
    return None


def renewed_period(current_end: datetime | None, now: datetime, period_days: int) -> tuple[datetime, datetime]:
    """Renewal extends from the current end while the package runs; a lapsed package restarts today."""
    start = current_end if current_end and current_end > now else now
    return start, start + timedelta(days=period_days)
