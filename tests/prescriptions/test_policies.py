"""Prescription policies: who reads a prescription, and that only its prescriber changes it."""
import pytest

from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.prescriptions.models import Prescription
from healthhub.prescriptions.policies import can_change_prescription, can_read_prescription, lists_as_prescriber

PRESCRIBER, OTHER_DOCTOR, HOLDER, OTHER_ACCOUNT = 21, 22, 31, 32
RX = Prescription(doctor_user_id=PRESCRIBER, account_user_id=HOLDER)


def principal(role: Role, user_id: int) -> Principal:
    return Principal(id=user_id, username=f"u{user_id}", display_name=role.value, role=role)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PHARMACIST])
def test_admins_and_pharmacists_read_every_prescription(role):
    assert can_read_prescription(principal(role, 99), RX)


def test_a_doctor_reads_only_what_they_wrote():
    assert can_read_prescription(principal(Role.DOCTOR, PRESCRIBER), RX)
    assert not can_read_prescription(principal(Role.DOCTOR, OTHER_DOCTOR), RX)


def test_a_patient_account_reads_only_the_prescriptions_it_holds():
    assert can_read_prescription(principal(Role.PATIENT, HOLDER), RX)
    assert not can_read_prescription(principal(Role.PATIENT, OTHER_ACCOUNT), RX)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.NURSE, Role.MERCHANT, Role.CLINIC_ADMIN])
def test_other_roles_read_none_even_with_a_matching_id(role):
    assert not can_read_prescription(principal(role, HOLDER), RX)
    assert not can_read_prescription(principal(role, PRESCRIBER), RX)


def test_only_the_prescriber_changes_it():
    assert can_change_prescription(principal(Role.DOCTOR, PRESCRIBER), RX)
    assert not can_change_prescription(principal(Role.DOCTOR, OTHER_DOCTOR), RX)


def test_a_doctor_lists_what_they_wrote_a_patient_what_they_hold():
    assert lists_as_prescriber(principal(Role.DOCTOR, PRESCRIBER))
    assert not lists_as_prescriber(principal(Role.PATIENT, HOLDER))
