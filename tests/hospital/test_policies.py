"""Hospital policies: a consultation reaches its patient account and its doctors; profiles are for doctors."""
import pytest

from healthhub.hospital.models import Consultation, Doctor
from healthhub.hospital.policies import can_hold_doctor_profile, can_see_consultation, is_doctor
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal

ACCOUNT, OTHER_ACCOUNT, DOCTOR_USER = 41, 42, 51
TREATING, COLLEAGUE = Doctor(id=5, user_id=DOCTOR_USER), Doctor(id=6, user_id=52)


def principal(role: Role, user_id: int) -> Principal:
    return Principal(id=user_id, username=f"u{user_id}", display_name=role.value, role=role)


def consultation(doctor_id: int | None = TREATING.id) -> Consultation:
    return Consultation(account_user_id=ACCOUNT, doctor_id=doctor_id, status="in_progress")


def test_the_patient_account_sees_its_consultation_and_no_other():
    assert can_see_consultation(principal(Role.PATIENT, ACCOUNT), consultation(), doctor=None, offered=False)
    assert not can_see_consultation(principal(Role.PATIENT, OTHER_ACCOUNT), consultation(), doctor=None,
                                    offered=False)


def test_the_treating_doctor_sees_it_and_a_colleague_does_not():
    doctor = principal(Role.DOCTOR, DOCTOR_USER)
    assert can_see_consultation(doctor, consultation(), doctor=TREATING, offered=False)
    assert not can_see_consultation(principal(Role.DOCTOR, 52), consultation(), doctor=COLLEAGUE, offered=False)


def test_a_waiting_consultation_reaches_the_doctors_it_is_offered_to():
    waiting = consultation(doctor_id=None)
    assert can_see_consultation(principal(Role.DOCTOR, 52), waiting, doctor=COLLEAGUE, offered=True)
    assert not can_see_consultation(principal(Role.DOCTOR, 52), waiting, doctor=COLLEAGUE, offered=False)


def test_a_doctor_account_without_a_profile_sees_nothing():
    assert not can_see_consultation(principal(Role.DOCTOR, DOCTOR_USER), consultation(), doctor=None, offered=True)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN, Role.PHARMACIST, Role.NURSE])
def test_other_roles_never_see_a_consultation(role):
    # Even with the account's own id: only the patient role holds consultations.
    assert not can_see_consultation(principal(role, ACCOUNT), consultation(), doctor=TREATING, offered=True)


def test_only_doctor_accounts_are_doctors_and_hold_a_profile():
    assert is_doctor(principal(Role.DOCTOR, DOCTOR_USER)) and not is_doctor(principal(Role.NURSE, 1))
    assert can_hold_doctor_profile("doctor")
    assert not can_hold_doctor_profile("nurse") and not can_hold_doctor_profile("pharmacist")
