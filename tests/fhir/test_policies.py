"""FHIR policy: whose medical record a caller may read."""
from dataclasses import dataclass

import pytest

from healthhub.fhir.policies import can_read_patient, is_doctor
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

ACCOUNT, OTHER_ACCOUNT = 61, 62


@dataclass(frozen=True)
class Person:
    account_user_id: int


PATIENT = Person(account_user_id=ACCOUNT)


def principal(role: Role, user_id: int = 70) -> Principal:
    return Principal(id=user_id, username=f"u{user_id}", display_name=role.value, role=role)


def test_an_admin_reads_every_record():
    assert can_read_patient(principal(Role.ADMIN), PATIENT, treated_by_caller=False)


def test_a_patient_account_reads_its_own_people_only():
    assert can_read_patient(principal(Role.PATIENT, ACCOUNT), PATIENT, treated_by_caller=False)
    assert not can_read_patient(principal(Role.PATIENT, OTHER_ACCOUNT), PATIENT, treated_by_caller=False)


def test_a_doctor_reads_only_patients_they_treated():
    assert is_doctor(principal(Role.DOCTOR))
    assert can_read_patient(principal(Role.DOCTOR), PATIENT, treated_by_caller=True)
    assert not can_read_patient(principal(Role.DOCTOR), PATIENT, treated_by_caller=False)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.PHARMACIST, Role.NURSE, Role.CLINIC_ADMIN])
def test_other_roles_read_nothing(role):
    assert not is_doctor(principal(role))
    assert not can_read_patient(principal(role, ACCOUNT), PATIENT, treated_by_caller=True)
