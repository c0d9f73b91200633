"""The demo seed pays its orders in-process (issue 8, item 10): `make demo` runs it before any server
listens, so it must not hand a single callback to the HTTP delivery worker, nor log a failed delivery."""
import logging
import time

import pytest
from sqlalchemy import select

from healthhub.core.config import get_settings
from healthhub.orders import service
from healthhub.orders.models import Order
from healthhub.payments.models import SandboxCallback
from healthhub.orders.seed import STORIES
from healthhub.orders.seed import seed as seed_orders
from healthhub.seed.context import SeedContext
from tests.factories import create_user_with_token
from tests.listeners import recording_listener
from tests.orders import builders


@pytest.fixture
def public_listener(monkeypatch):
    """A listener at the configured public URL: any callback the seed queued would land here."""
    with recording_listener() as listener:
        monkeypatch.setenv("HEALTHHUB_PUBLIC_URL", listener.base_url)
        get_settings.cache_clear()
        yield listener.base_url, listener.received
    get_settings.cache_clear()


def test_demo_orders_are_paid_in_process_and_nothing_is_sent(committed_db, public_listener, caplog, tmp_path):
    public_url, hits = public_listener
    with committed_db.session_scope() as session:
        warehouse = builders.stock_location(session, code="WH-SEED")
        for name, price in (("布洛芬缓释胶囊", 2680), ("维生素C泡腾片", 3500), ("医用外科口罩", 1990)):
            builders.make_product(session, name=name, price_cents=price, rx=False, health=name == "医用外科口罩",
                                  stock=[(warehouse, 100)])
        patient = create_user_with_token(session, role="patient", password="Seed-demo-2026")[0].id
    caplog.set_level(logging.WARNING)
    with committed_db.session_scope() as session:  # a real commit, as `healthhub seed` does
        seed_orders(session, SeedContext(scale="small", seed=7, data_dir=tmp_path, shared={"users": {"patient": patient}}))
    time.sleep(1.0)  # the delivery worker posts within milliseconds of a commit; give it ample time

    assert hits == []
    # The delivery worker is shared by the process: an earlier test's leftovers may still be logged, so only
    # a warning about a callback aimed at this run's public URL counts.
    assert [r.getMessage() for r in caplog.records
            if r.levelno >= logging.WARNING and public_url in r.getMessage()] == []
    with committed_db.session_scope() as session:
        orders = list(session.execute(select(Order).order_by(Order.id)).scalars())
        assert sorted(o.status for o in orders) == sorted(final for final, _ in STORIES)
        for order in orders:
            payments = service.order_payments(session, order_id=order.id)
            if order.status == "cancelled":
                assert payments == []
            else:
                assert [p.status for p in payments] == ["refunded" if order.status == "refunded" else "succeeded"]
                assert order.paid_cents == payments[0].amount_cents > 0
        targets = set(session.execute(select(SandboxCallback.target_url)).scalars())
        assert targets == {f"{public_url}/api/v1/payments/callbacks/sandbox"}
