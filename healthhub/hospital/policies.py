"""Who may reach a consultation, and which accounts may practise: pure decisions (no database).

A consultation the caller may not see answers 404, like a missing one, so ids cannot be probed.
"""
from healthhub.hospital.models import Consultation, Doctor
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal


def is_doctor(principal: Principal) -> bool:
    """A doctor account: what it may see is decided by its doctor profile (`doctor_row_by_user`)."""
    return principal.role == Role.DOCTOR


def can_see_consultation(principal: Principal, consultation: Consultation, *, doctor: Doctor | None,
                         offered: bool) -> bool:
    """The patient's account; the treating doctor, or a doctor it is `offered` to while it waits in the queue.
    `doctor`: the caller's doctor profile, None for other accounts."""
    if principal.role == Role.PATIENT:
        return consultation.account_user_id == principal.id
    if is_doctor(principal):
        return doctor is not None and (consultation.doctor_id == doctor.id or offered)
    return False


def can_hold_doctor_profile(account_role: str) -> bool:
    """A practising profile (licence, departments, schedule) belongs to a doctor account only."""
    return account_role == Role.DOCTOR
