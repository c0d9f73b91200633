"""SM2 signing over the canonical form, and the IDT-08 transition table (pure)."""
import pytest

from healthhub.core import signing
from healthhub.prescriptions.statemachine import TRANSITIONS, IllegalTransition, RxEvent, RxStatus, next_status


def test_canonical_form_ignores_key_order_and_keeps_chinese():
    assert signing.canonical_form({"b": 1, "a": "阿莫西林"}) == signing.canonical_form({"a": "阿莫西林", "b": 1})
    assert signing.canonical_form({"a": "阿"}) == '{"a":"阿"}'


def test_sm2_signature_verifies_and_detects_any_change():
    private, public = signing.generate_keypair()
    text = signing.canonical_form({"items": [{"name": "氨氯地平", "quantity": 1}]})
    signature = signing.sign(private, public, text)
    assert signing.verify(public, signature, text)
    assert not signing.verify(public, signature, text.replace('"quantity":1', '"quantity":9'))
    other_private, other_public = signing.generate_keypair()
    assert not signing.verify(other_public, signature, text)
    assert not signing.verify(public, "00" * 64, text)
    assert not signing.verify(public, "", text)


def test_two_signatures_of_the_same_text_differ_because_nonces_are_random():
    private, public = signing.generate_keypair()
    assert signing.sign(private, public, "x") != signing.sign(private, public, "x")


def test_happy_path_through_the_life_cycle():
    status = RxStatus.DRAFT
    for event in (RxEvent.SIGN, RxEvent.SUBMIT, RxEvent.APPROVE, RxEvent.CLAIM):
        status = next_status(status, event)
    assert status == RxStatus.USED
    assert next_status(RxStatus.USED, RxEvent.RELEASE) == RxStatus.APPROVED
    assert next_status(RxStatus.APPROVED, RxEvent.EXPIRE) == RxStatus.EXPIRED
    assert next_status(RxStatus.UNDER_REVIEW, RxEvent.RETURN) == RxStatus.RETURNED


@pytest.mark.parametrize("status, event", [
    (RxStatus.DRAFT, RxEvent.APPROVE),  # no approval without signature and review
    (RxStatus.SIGNED, RxEvent.CLAIM),  # no drug before pharmacist approval (IDT-08)
    (RxStatus.UNDER_REVIEW, RxEvent.CLAIM),
    (RxStatus.RETURNED, RxEvent.APPROVE),
    (RxStatus.EXPIRED, RxEvent.CLAIM),
    (RxStatus.USED, RxEvent.CLAIM),
    (RxStatus.APPROVED, RxEvent.SIGN),
])
def test_illegal_transitions_are_refused(status, event):
    assert (status, event) not in TRANSITIONS
    with pytest.raises(IllegalTransition) as caught:
        next_status(status, event)
    assert caught.value.status == 409
