"""Storefront policies: whose prescriptions unlock an Rx drug's insert and buy button (OD-03)."""
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.storefront.policies import can_buy_with_prescription


def principal(role: Role) -> Principal:
    return Principal(id=7, username=f"u-{role}", display_name=role.value, role=role)


def test_only_a_patient_account_buys_with_a_prescription():
    assert can_buy_with_prescription(principal(Role.PATIENT))
    assert not can_buy_with_prescription(principal(Role.DOCTOR))
    assert not can_buy_with_prescription(principal(Role.PHARMACIST))
    assert not can_buy_with_prescription(None)
