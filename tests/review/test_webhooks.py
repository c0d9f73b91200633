"""Webhook outbox against a real HTTP server on 127.0.0.1: signatures verify, failures retry with
exponential backoff, and deliveries give up (dead) after MAX_ATTEMPTS. Webhook URLs into our own network
are refused when registered and again when delivered (SSRF); 127.0.0.1 is reached only where the operator
allowed it (`allow_local_webhooks`)."""
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from typer.testing import CliRunner
from sqlalchemy import select

from healthhub.cli import app as cli_app
from healthhub.core.config import get_settings
from healthhub.core.db import utcnow
from healthhub.review import tenants as tenant_service
from healthhub.review import webhooks
from healthhub.review.models import WebhookAttempt, WebhookDelivery
from tests.review.conftest import PASS_REQUEST


class Receiver:
    """A clinic endpoint answering with the scripted status codes, recording what it got."""

    def __init__(self, statuses: list[int]):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/review"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory():
    receivers = []

    def factory(statuses=()):
        receivers.append(Receiver(list(statuses)))
        return receivers[-1]

    yield factory
    for receiver in receivers:
        receiver.close()


def _tenant_with_hook(db, url):
    tenant, _key, secret = tenant_service.create_tenant(db, code="hooked-clinic", name="回调诊所", webhook_url=url,
                                                        auto_approve_pass=False, actor_user_id=None)
    return tenant, secret


def test_backoff_schedule_doubles_and_is_capped():
    assert [webhooks.backoff_delay(n).total_seconds() for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600]


def test_signature_verifies_and_detects_tampering_and_replay():
    header = webhooks.signature_header("whsec_x", 1_700_000_000, '{"a":1}')
    assert webhooks.verify_signature("whsec_x", header, '{"a":1}', now=1_700_000_010)
    assert not webhooks.verify_signature("whsec_x", header, '{"a":2}', now=1_700_000_010)
    assert not webhooks.verify_signature("whsec_other", header, '{"a":1}', now=1_700_000_010)
    assert not webhooks.verify_signature("whsec_x", header, '{"a":1}', now=1_700_000_000 + 3600)


def test_delivery_is_signed_and_verifiable_by_the_receiver(db, receiver_factory, allow_local_webhooks):
    receiver = receiver_factory([200])
    tenant, secret = _tenant_with_hook(db, receiver.url)
    delivery = webhooks.enqueue(db, tenant=tenant, event_type="review.decided", data={"review_id": 7}, review_id=None)
    with httpx.Client() as http:
        run = webhooks.deliver_due_webhooks(db, now=utcnow(), http_client=http)
    assert run.delivered == 1
    headers, body = receiver.received[0]
    assert body == delivery.body
    assert headers["X-HealthHub-Event"] == "review.decided"
    assert webhooks.verify_signature(secret, headers["X-HealthHub-Signature"], body)
    assert not webhooks.verify_signature("whsec_wrong", headers["X-HealthHub-Signature"], body)
    assert delivery.status == "delivered" and delivery.last_status_code == 200


def test_failure_then_success_follows_the_backoff(db, receiver_factory, allow_local_webhooks):
    receiver = receiver_factory([500, 503, 200])
    tenant, _ = _tenant_with_hook(db, receiver.url)
    delivery = webhooks.enqueue(db, tenant=tenant, event_type="review.decided", data={"n": 1}, review_id=None)
    now = utcnow()
    with httpx.Client() as http:
        assert webhooks.deliver_due_webhooks(db, now=now, http_client=http).retrying == 1
        assert delivery.next_attempt_at == now + timedelta(seconds=30) and delivery.last_status_code == 500
        # Not due yet: nothing is sent.
        assert webhooks.deliver_due_webhooks(db, now=now + timedelta(seconds=29), http_client=http).attempted == 0
        second = now + timedelta(seconds=30)
        webhooks.deliver_due_webhooks(db, now=second, http_client=http)
        assert delivery.next_attempt_at == second + timedelta(seconds=60) and delivery.attempts == 2
        webhooks.deliver_due_webhooks(db, now=second + timedelta(seconds=60), http_client=http)
    assert delivery.status == "delivered" and delivery.attempts == 3
    attempts = db.execute(select(WebhookAttempt.status_code).where(WebhookAttempt.delivery_id == delivery.id)
                          .order_by(WebhookAttempt.attempt)).scalars().all()
    assert attempts == [500, 503, 200]
    assert len({body for _, body in receiver.received}) == 1  # retries resend the identical event


def test_unreachable_endpoint_goes_dead_after_max_attempts(db, receiver_factory, allow_local_webhooks):
    receiver = receiver_factory()
    url = receiver.url
    receiver.close()  # nothing listens on the port any more: connection refused
    tenant, _ = _tenant_with_hook(db, url)
    delivery = webhooks.enqueue(db, tenant=tenant, event_type="review.decided", data={}, review_id=None)
    now = utcnow()
    with httpx.Client() as http:
        for _ in range(webhooks.MAX_ATTEMPTS):
            webhooks.deliver_due_webhooks(db, now=now, http_client=http)
            now = delivery.next_attempt_at or now
    assert delivery.status == "dead" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.next_attempt_at is None and "ConnectError" in delivery.last_error
    assert db.execute(select(WebhookDelivery).where(WebhookDelivery.status == "pending")).first() is None


def test_decision_webhook_reaches_the_clinic_end_to_end(client, db, new_tenant, pharmacist_of, receiver_factory,
                                                       allow_local_webhooks):
    receiver = receiver_factory([200])
    tenant = new_tenant(webhook_url=receiver.url)
    _, pharmacist = pharmacist_of(tenant)
    review_id = client.post("/api/v1/review?external_ref=HIS-77", json=PASS_REQUEST,
                            headers={"X-Api-Key": tenant["api_key"]}).json()["review_id"]
    assert client.post(f"/api/v1/review/reviews/{review_id}/approve", json={}, headers=pharmacist).status_code == 200
    with httpx.Client() as http:
        webhooks.deliver_due_webhooks(db, now=utcnow(), http_client=http)
    headers, body = receiver.received[0]
    assert webhooks.verify_signature(tenant["webhook_secret"], headers["X-HealthHub-Signature"], body)
    event = json.loads(body)
    assert event["type"] == "review.decided" and event["data"]["review_id"] == review_id
    assert event["data"]["outcome"] == "approved" and event["data"]["external_ref"] == "HIS-77"
    assert len(event["data"]["signature"]) == 128 and event["data"]["confirming_doctor"] is None


def test_the_delivery_job_sends_due_deliveries(committed_db, monkeypatch, receiver_factory, allow_local_webhooks):
    receiver = receiver_factory([200])
    with committed_db.session_scope() as session:
        tenant, _ = _tenant_with_hook(session, receiver.url)
        webhooks.enqueue(session, tenant=tenant, event_type="review.decided", data={"review_id": 1}, review_id=None)
    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    monkeypatch.setenv("HEALTHHUB_WEBHOOK_ALLOWED_HOSTS", '["127.0.0.1"]')  # the job reads fresh settings
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["jobs", "run", "review.deliver-webhooks"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "done" in result.output and "1 item(s)" in result.output and len(receiver.received) == 1
    with committed_db.session_scope() as session:
        assert session.execute(select(WebhookDelivery.status)).scalar_one() == "delivered"


INTERNAL_URLS = ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9999/hook", "https://10.0.0.1/hook",
                 "https://[::1]/hook", "https://localhost/hook", "https://[::ffff:127.0.0.1]/hook",
                 "https://0.0.0.0/hook", "https://[fe80::1]/hook", "https://224.0.0.1/hook"]


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_registering_an_internal_webhook_url_is_refused(client, new_tenant, url):
    body = {"code": "ssrf-clinic", "name": "内网诊所", "webhook_url": url}
    response = client.post("/api/v1/review/tenants", json=body, headers=new_tenant.operator_headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "webhook-url-refused"
    assert "不是公网地址" in problem["detail"] or "https" in problem["detail"]
    assert "HEALTHHUB_WEBHOOK_ALLOWED_HOSTS" in problem["detail"]


def test_plain_http_to_a_public_address_is_refused_and_https_accepted(client, new_tenant):
    tenant = new_tenant()
    url = f"/api/v1/review/tenants/{tenant['id']}"
    refused = client.patch(url, json={"webhook_url": "http://93.184.215.14/hook"}, headers=new_tenant.operator_headers)
    assert refused.status_code == 422 and refused.json()["code"] == "webhook-url-refused"
    assert "must use https" in refused.json()["detail"]
    accepted = client.patch(url, json={"webhook_url": "https://93.184.215.14/hook"}, headers=new_tenant.operator_headers)
    assert accepted.status_code == 200 and accepted.json()["webhook_url"] == "https://93.184.215.14/hook"


def test_updating_to_an_internal_url_is_refused_and_keeps_the_old_one(client, new_tenant):
    tenant = new_tenant(webhook_url="https://93.184.215.14/hook")
    url = f"/api/v1/review/tenants/{tenant['id']}"
    response = client.patch(url, json={"webhook_url": "http://169.254.169.254/latest"},
                            headers=new_tenant.operator_headers)
    assert response.status_code == 422 and response.json()["code"] == "webhook-url-refused"
    assert client.get(url, headers=new_tenant.operator_headers).json()["webhook_url"] == "https://93.184.215.14/hook"


def test_hosts_the_operator_allows_may_be_internal_and_plain_http(client, new_tenant, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", ["127.0.0.1", "LocalHost"])
    for url in ("http://127.0.0.1:9999/hook", "http://localhost:8080/his/review"):
        assert new_tenant(webhook_url=url)["webhook_url"] == url
    # Allowing one host opens no other.
    refused = client.post("/api/v1/review/tenants", json={"code": "other-clinic", "name": "内网诊所",
                                                          "webhook_url": "https://10.0.0.1/hook"},
                          headers=new_tenant.operator_headers)
    assert refused.status_code == 422


@pytest.mark.parametrize("stored_url", ["http://169.254.169.254/latest/meta-data/", "https://localhost:9/hook",
                                        "http://10.0.0.1/hook"])
def test_a_stored_internal_url_is_refused_at_delivery_and_the_run_goes_on(db, receiver_factory, monkeypatch,
                                                                         stored_url):
    receiver = receiver_factory([200])
    monkeypatch.setattr(get_settings(), "webhook_allowed_hosts", ["127.0.0.1"])
    inward, _ = _tenant_with_hook(db, receiver.url)
    good = webhooks.enqueue(db, tenant=inward, event_type="review.decided", data={"n": 2}, review_id=None)
    inward.webhook_url = stored_url  # written around the validation (an old row, a database edit)
    bad = webhooks.enqueue(db, tenant=inward, event_type="review.decided", data={"n": 1}, review_id=None)
    db.flush()
    with httpx.Client() as http:  # even a plain client: the check does not depend on the caller's client
        run = webhooks.deliver_due_webhooks(db, now=utcnow(), http_client=http)
    assert run.attempted == 2 and run.delivered == 1 and run.dead == 1
    assert good.status == "delivered" and len(receiver.received) == 1
    assert bad.status == "dead" and bad.next_attempt_at is None and bad.attempts == 1
    assert bad.last_error.startswith("refused:") and bad.last_status_code is None


def test_the_delivery_job_refuses_a_name_that_resolves_inward(committed_db, monkeypatch, receiver_factory):
    """Registration saw a public address; by delivery the name points at loopback (DNS rebinding)."""
    receiver = receiver_factory([200])
    port = receiver.server.server_address[1]
    with committed_db.session_scope() as session:
        tenant, _ = _tenant_with_hook(session, "https://93.184.215.14/hook")
        tenant.webhook_url = f"http://localhost:{port}/hooks/review"
        webhooks.enqueue(session, tenant=tenant, event_type="review.decided", data={"review_id": 1}, review_id=None)
    monkeypatch.setenv("HEALTHHUB_DATABASE_URL", committed_db.url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_app, ["jobs", "run", "review.deliver-webhooks"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert receiver.received == []
    with committed_db.session_scope() as session:
        delivery = session.execute(select(WebhookDelivery)).scalar_one()
        assert delivery.status == "dead" and "refused" in delivery.last_error
