"""Pure workbench decisions: which status a new review starts in, what blocks an approval, and the
pharmacist's signature digest. Plain data in, plain data out; the service applies the result."""
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from healthhub.core.crypto import sm3_hex


class Status(StrEnum):
    CHECKED = "checked"  # a pre-check (doctor or pharmacist trying a prescription): no sign-off needed
    PENDING = "pending"  # in a pharmacist's queue
    AWAITING_DOCTOR = "awaiting_doctor"  # the pharmacist asked the prescriber to confirm (RV-05)
    APPROVED = "approved"
    RETURNED = "returned"
    AUTO_PASSED = "auto_passed"  # a clinic chose to take engine "pass" verdicts without a pharmacist


OPEN_STATUSES = (Status.PENDING, Status.AWAITING_DOCTOR)
DECIDED_STATUSES = (Status.APPROVED, Status.RETURNED, Status.AUTO_PASSED)
STATUS_LABELS = {Status.CHECKED: "仅预审", Status.PENDING: "待审核", Status.AWAITING_DOCTOR: "待医生确认",
                 Status.APPROVED: "已通过", Status.RETURNED: "已退回", Status.AUTO_PASSED: "自动通过"}
# RV-05: incompatibility or overdose is dispensed only after the prescriber re-signs.
DOUBLE_SIGN_FAMILIES = frozenset({"DDI", "DOSE"})
MIN_NOTE_CHARS = 4


class Source(StrEnum):
    API = "api"  # a user token calling POST /api/v1/review
    CLINIC = "clinic"  # a tenant (API key or its clinic admin)
    PRESCRIPTION = "prescription"  # the internet hospital, through events


def initial_status(*, source: Source, verdict: str, auto_approve_pass: bool) -> Status:
    if source == Source.API:
        return Status.CHECKED
    # RV-01/RV-04: internet-hospital prescriptions always wait for a pharmacist, even on "pass".
    if source == Source.CLINIC and verdict == "pass" and auto_approve_pass:
        return Status.AUTO_PASSED
    return Status.PENDING


@dataclass(frozen=True)
class ApprovalCheck:
    allowed: bool
    reasons: tuple[str, ...]
    needs_double_sign: bool


def approval_check(*, status: str, verdict: str, findings: list[dict[str, Any]], double_signed: bool,
                   note: str | None) -> ApprovalCheck:
    """Why an approval is refused, in words for the pharmacist; empty reasons means it may proceed."""
    warn_families = {f["family"] for f in findings if f.get("severity") == "warn"}
    needs_double_sign = bool(warn_families & DOUBLE_SIGN_FAMILIES)
    reasons = []
    if status != Status.PENDING:
        reasons.append("只有待审核的处方可以通过 / only a pending review can be approved")
    if verdict == "reject":
        reasons.append("审方结论为拒绝（存在阻断问题），只能退回医生 / a rejected prescription can only be returned")
    elif verdict == "review":
        if needs_double_sign and not double_signed:
            reasons.append("存在相互作用或超剂量警示，须先请医生确认双签 / interaction or dose warnings need the "
                           "prescriber's confirmation (double signature) first")
        elif not double_signed and len((note or "").strip()) < MIN_NOTE_CHARS:
            reasons.append("存在警示，请填写审核意见说明为何可以通过 / warnings present: write a note explaining why "
                           "the prescription may pass")
    return ApprovalCheck(allowed=not reasons, reasons=tuple(reasons), needs_double_sign=needs_double_sign)


def signature_payload(*, review_id: int, request: dict, response: dict, kb_version: str, pharmacist_user_id: int,
                      signed_at: datetime, double_signed: bool, note: str | None) -> str:
    """Canonical text the pharmacist signs: any later change to the request, findings or sign-off shows."""
    return json.dumps({"review_id": review_id, "request": request, "response": response, "kb_version": kb_version,
                       "pharmacist_user_id": pharmacist_user_id, "signed_at": signed_at.isoformat(),
                       "double_signed": double_signed, "note": note},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sign(**fields) -> str:
    return sm3_hex(signature_payload(**fields))


SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}


def max_severity(findings: list[dict[str, Any]]) -> str | None:
    return min((f["severity"] for f in findings), key=SEVERITY_ORDER.__getitem__, default=None)


def sorted_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["family"], f["rule"]))
