"""The prescription life cycle (IDT-08) as a pure transition table.

DRAFT → SIGNED → UNDER_REVIEW → APPROVED | RETURNED; APPROVED → USED | EXPIRED.
A prescription takes effect only once a pharmacist approves it. A RETURNED one is never edited:
the doctor revises it into a new DRAFT version, so the returned version stays as history.
USED → APPROVED exists only for an order cancelled before dispatch (the claim is released).
"""
from enum import StrEnum

from healthhub.core.errors import Conflict


class RxStatus(StrEnum):
    DRAFT = "DRAFT"
    SIGNED = "SIGNED"
    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    RETURNED = "RETURNED"
    USED = "USED"
    EXPIRED = "EXPIRED"


class RxEvent(StrEnum):
    SIGN = "sign"
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    CLAIM = "claim"
    RELEASE = "release"
    EXPIRE = "expire"


STATUS_LABELS = {
    RxStatus.DRAFT: "草稿", RxStatus.SIGNED: "已签名", RxStatus.UNDER_REVIEW: "待药师审核",
    RxStatus.APPROVED: "审核通过", RxStatus.RETURNED: "已退回", RxStatus.USED: "已使用", RxStatus.EXPIRED: "已过期",
}

TRANSITIONS: dict[tuple[RxStatus, RxEvent], RxStatus] = {
    (RxStatus.DRAFT, RxEvent.SIGN): RxStatus.SIGNED,
    (RxStatus.SIGNED, RxEvent.SUBMIT): RxStatus.UNDER_REVIEW,
    (RxStatus.UNDER_REVIEW, RxEvent.APPROVE): RxStatus.APPROVED,
    (RxStatus.UNDER_REVIEW, RxEvent.RETURN): RxStatus.RETURNED,
    (RxStatus.APPROVED, RxEvent.CLAIM): RxStatus.USED,
    (RxStatus.APPROVED, RxEvent.EXPIRE): RxStatus.EXPIRED,
    (RxStatus.USED, RxEvent.RELEASE): RxStatus.APPROVED,
}


class IllegalTransition(Conflict):
    code = "rx-illegal-transition"


def next_status(current: RxStatus | str, event: RxEvent) -> RxStatus:
    current = RxStatus(current)
    try:
        return TRANSITIONS[(current, event)]
    except KeyError:
        raise IllegalTransition(
            f"处方当前状态为「{STATUS_LABELS[current]}」，不能执行 {event.value} / a prescription in state "
            f"{current.value} cannot {event.value} (IDT-08)") from None


def can(current: RxStatus | str, event: RxEvent) -> bool:
    return (RxStatus(current), event) in TRANSITIONS
