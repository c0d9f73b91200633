"""The sandbox's asynchronous callback delivery: only after commit, signed at send time, off the request thread."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from healthhub.core.db import utcnow
from healthhub.orders.payments import dispatch
from healthhub.orders.payments.sandbox import sandbox
from tests.orders.conftest import get_order, outbox, place, start_payment, buyer_clicks


@pytest.fixture
def receiver():
    received: list[tuple[bytes, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/callback", received
    server.shutdown()


def _wait_for(received: list, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_callbacks_are_sent_by_the_worker_after_commit_only(committed_db, receiver):
    url, received = receiver
    body = json.dumps({"id": "evt_commit", "type": "payment.succeeded", "created": int(utcnow().timestamp()), "data": {
        "intent_id": "pi_t", "merchant_reference": "O", "status": "succeeded", "amount_cents": 1,
        "captured_cents": 1, "refunded_cents": 0, "sequence": 2}})
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
    assert [r[0] for r in received] == [body.encode()]
    event = sandbox.parse_callback(received[0][0], received[0][1], now=utcnow())  # a valid, fresh signature
    assert event.event_id == "evt_commit"


def test_delivery_code_path_reaches_our_endpoint(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    payment = start_payment(client, shop, order["id"])
    buyer_clicks(client, payment)
    [callback] = outbox(db, payment)
    assert callback.target_url == "http://testserver/api/v1/payments/callbacks/sandbox"
    assert dispatch.post_signed(callback.target_url, callback.body, client=client) == 200
    assert get_order(client, shop, order["id"])["status"] == "allocated"
