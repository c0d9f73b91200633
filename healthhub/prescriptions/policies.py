"""Who may read or change a prescription: pure decisions about the caller and the prescription (no database).

Whether a role may prescribe at all is a rule of the regulations (IDT-07, rules.idt07_prescriber), not a
permission: it is checked and reported there with the rule's own wording.
"""
from typing import Protocol

from healthhub.identity.roles import Role
from healthhub.identity.service import Principal


class HeldPrescription(Protocol):
    """What these decisions read: the stored row and the view both carry it."""

    doctor_user_id: int
    account_user_id: int


def can_read_prescription(principal: Principal, prescription: HeldPrescription) -> bool:
    """Admins and pharmacists read every prescription, a doctor the ones they wrote, a patient account its own."""
    if principal.role in (Role.ADMIN, Role.PHARMACIST):
        return True
    if principal.role == Role.DOCTOR:
        return prescription.doctor_user_id == principal.id
    return principal.role == Role.PATIENT and prescription.account_user_id == principal.id


def can_change_prescription(principal: Principal, prescription: HeldPrescription) -> bool:
    """Only the prescribing doctor edits, signs, revises or confirms a prescription."""
    return prescription.doctor_user_id == principal.id


def lists_as_prescriber(principal: Principal) -> bool:
    """A doctor's prescription list is what they wrote; a patient account's is what it holds."""
    return principal.role == Role.DOCTOR
