"""Whose medical record a FHIR caller may read: a pure decision (no database).

A patient the caller may not read answers 404, exactly like a missing one, so ids cannot be probed.
"""
from typing import Protocol

from healthhub.identity.roles import Role
from healthhub.identity.service import Principal


class PatientRecord(Protocol):
    account_user_id: int  # the patient account the person is held under


def is_doctor(principal: Principal) -> bool:
    """A doctor reads a patient only after treating them, which the caller looks up for doctors alone."""
    return principal.role == Role.DOCTOR


def can_read_patient(principal: Principal, patient: PatientRecord, *, treated_by_caller: bool) -> bool:
    """Admins read every record, a patient account its own people, a doctor the patients they have treated."""
    if principal.role == Role.ADMIN:
        return True
    if principal.role == Role.PATIENT:
        return patient.account_user_id == principal.id
    return is_doctor(principal) and treated_by_caller
