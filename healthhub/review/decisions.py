"""Pure workbench decisions: which status a new review starts in and what blocks an approval. Plain
data in, plain data out; the service applies the result."""
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    CHECKED = "checked"  # a pre-check (doctor or pharmacist trying a prescription): no sign-off needed
    PENDING = "pending"  # in a pharmacist's queue
    AWAITING_DOCTOR = "awaiting_doctor"  # the pharmacist asked the prescriber to confirm (RV-05)
    APPROVED = "approved"
    RETURNED = "returned"
    AUTO_PASSED = "auto_passed"  # a clinic chose to release fully checked, unflagged reviews (auto_pass_allowed)


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


# An interaction whose severity the source does not give is no more judged than one it does not list.
UNJUDGED_RULES = frozenset({"DDI-UNKNOWN-SEVERITY"})


def auto_pass_allowed(engine_findings: list[dict[str, Any]]) -> bool:
    """RV-04: software may release only what it flagged nothing in and could check completely.

    `engine_findings` are the engine's own, before the tenant's overrides: a clinic that disables or
    lowers a rule still sees its prescriptions go to a pharmacist when that rule fires."""
    return not any(f["severity"] != "info" or f["rule"].endswith("-NOT-CHECKED") or f["rule"] in UNJUDGED_RULES
                   for f in engine_findings)


def initial_status(*, source: Source, auto_pass: bool) -> Status:
    """`auto_pass`: the clinic auto-approves, its verdict is "pass" and `auto_pass_allowed` holds."""
    if source == Source.API:
        return Status.CHECKED
    # RV-01/RV-04: internet-hospital prescriptions always wait for a pharmacist, even on "pass".
    if source == Source.CLINIC and auto_pass:
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


SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}


def max_severity(findings: list[dict[str, Any]]) -> str | None:
    return min((f["severity"] for f in findings), key=SEVERITY_ORDER.__getitem__, default=None)


def sorted_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["family"], f["rule"]))
