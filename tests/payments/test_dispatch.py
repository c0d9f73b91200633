"""The sandbox's asynchronous callback delivery: only after commit, signed at send time, off the request thread,
and only ever to our own public_url (the callback base never comes from a request's Host header)."""
import json
import time

import pytest
from sqlalchemy import text

from healthhub.core.config import get_settings
from healthhub.core.db import utcnow
from healthhub.core.outbound import DestinationRefused
from healthhub.payments import dispatch
from healthhub.payments import service as payments
from healthhub.payments.sandbox import sandbox
from tests.listeners import recording_listener
from tests.payments.conftest import TEST_PAYABLE, open_payment
from tests.payments.sandbox import outbox, payer_clicks


@pytest.fixture
def receiver():
    with recording_listener() as listener:
        yield f"{listener.base_url}/callback", listener.received


def _wait_for(received: list, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _callback_body(event_id: str) -> str:
    return json.dumps({"id": event_id, "type": "payment.succeeded", "created": int(utcnow().timestamp()), "data": {
        "intent_id": "pi_t", "merchant_reference": "O", "status": "succeeded", "amount_cents": 1,
        "captured_cents": 1, "refunded_cents": 0, "sequence": 2}})


def test_callbacks_are_sent_by_the_worker_after_commit_only(committed_db, receiver, monkeypatch):
    url, received = receiver
    monkeypatch.setattr(get_settings(), "public_url", url.rsplit("/", 1)[0])  # we are served at the receiver
    body = _callback_body("evt_commit")
    session = committed_db.sessionmaker()
    session.execute(text("SELECT 1"))  # inside a transaction, as the provider always is when it emits
    dispatch.deliver_after_commit(session, url, '{"rolled":"back"}')
    session.rollback()
    session.execute(text("SELECT 1"))
    dispatch.deliver_after_commit(session, url, body)
    assert received == []
    session.commit()
    session.close()
    _wait_for(received, 1)
    assert [hit.body for hit in received] == [body.encode()]
    event = sandbox.parse_callback(received[0].body, received[0].headers, now=utcnow())  # a valid, fresh signature
    assert event.event_id == "evt_commit"


def test_delivery_code_path_reaches_our_endpoint(client, db, payer):
    payment = open_payment(db, payer)
    payer_clicks(client, payment)
    [callback] = outbox(db, payment)
    assert callback.target_url == get_settings().public_url.rstrip("/") + "/api/v1/payments/callbacks/sandbox"
    assert dispatch.post_signed(callback.target_url, callback.body, client=client) == 200
    [view] = payments.payments_of(db, payable_kind=TEST_PAYABLE, payable_id=7)
    assert view.status == "succeeded"


def test_a_callback_target_other_than_public_url_is_refused_and_the_worker_goes_on(committed_db, receiver,
                                                                                  monkeypatch):
    url, received = receiver
    monkeypatch.setattr(get_settings(), "public_url", url.rsplit("/", 1)[0])
    elsewhere = url.replace("127.0.0.1", "localhost")  # reaches the same listener, but is not our origin
    with pytest.raises(DestinationRefused):
        dispatch.post_signed(elsewhere, _callback_body("evt_direct"))
    for target, event_id in ((elsewhere, "evt_elsewhere"), (url, "evt_ours")):  # the worker sends in order
        with committed_db.session_scope() as session:
            session.execute(text("SELECT 1"))
            dispatch.deliver_after_commit(session, target, _callback_body(event_id))
    _wait_for(received, 1)
    time.sleep(0.3)  # a refused callback is not retried: nothing more arrives
    assert [json.loads(hit.body)["id"] for hit in received] == ["evt_ours"]
