"""The real server under a crowd (issue 8, items 1 and 2): `healthhub serve` with 2 worker processes on a
throw-away PostgreSQL database, driven over real HTTP.

At once: the reproduction of the old whole-server deadlock (a buyer pays order 1 in the sandbox, then
starts paying order 2, while its payment callbacks arrive several times in parallel), 100 buyers rushing
for the last 10 units of one product, and a poller timing /healthz. Every request must end in bounded
time, /healthz must stay fast, exactly 10 units are sold, nothing answers 500, the surplus gets 409 or a
503 with Retry-After, and the server still stops on SIGTERM. The figures are printed for the release note.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from healthhub.core.config import get_settings
from healthhub.core.db import Database
from healthhub.core.migrations import upgrade
from healthhub.orders.models import Order, OrderLine
from healthhub.payments.models import SandboxCallback
from healthhub.payments.signatures import signed_headers
from tests.conftest import PG_ADMIN_URL, _create_pg_database, _drop_pg_database
from tests.factories import create_user_with_token, pid
from tests.orders import builders
from tests.server.traffic import Calls, percentile

pytestmark = [pytest.mark.real_server, pytest.mark.pg_only]

BUYERS, UNITS = 100, 10
REQUEST_BOUND_S = 30.0  # no request may take longer, whatever the load
HEALTHZ_BOUND_S = 1.0
PASSWORD = "RealServer-2026"  # never used to log in (tokens are issued directly), but must pass the policy


def _pg_reachable() -> bool:
    engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def pg_url():
    if not _pg_reachable():
        pytest.skip("PostgreSQL is not reachable (HEALTHHUB_TEST_PG_URL)")
    name, url = _create_pg_database()
    try:
        upgrade(url)
        yield url
    finally:
        _drop_pg_database(name)


@pytest.fixture(scope="module")
def shop(pg_url):
    """A warehouse, the 10-unit product, a well-stocked one, 100 rush buyers and the deadlock buyer."""
    database = Database(pg_url)
    with pytest.MonkeyPatch.context() as patch, database.session_scope() as session:
        # Nobody logs in, so skip argon2: 101 hashes would cost more than the whole rush.
        patch.setattr("healthhub.identity.service.hash_password", lambda _password: "!no-login")
        warehouse = builders.stock_location(session, code="WH-REAL")
        scarce = builders.make_product(session, name="布洛芬缓释胶囊", price_cents=2680, rx=False,
                                       stock=[(warehouse, UNITS)])
        plenty = builders.make_product(session, name="维生素C泡腾片", price_cents=3500, rx=False,
                                       stock=[(warehouse, 100)])
        buyers = []
        for n in range(BUYERS + 1):
            user, headers = create_user_with_token(session, role="patient", username=f"crowd_{n}", password=PASSWORD)
            buyers.append((headers, builders.beijing_address(session, user.id)))
    yield {"database": database, "warehouse": warehouse, "scarce": scarce, "plenty": plenty, "buyers": buyers}
    database.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, pg_url: str, log_path: Path):
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        settings = get_settings()
        env = {**os.environ, "HEALTHHUB_DATABASE_URL": pg_url, "HEALTHHUB_RUN_JOBS": "false",
               "HEALTHHUB_ENV": "test", "HEALTHHUB_PUBLIC_URL": self.base_url, "HEALTHHUB_LOG_LEVEL": "WARNING",
               "HEALTHHUB_LOG_JSON": "false",
               # The same keys as this process: its tokens and callback signatures must verify there.
               "HEALTHHUB_SECRET_KEY": settings.secret_key, "HEALTHHUB_PII_KEY": settings.pii_key,
               "HEALTHHUB_PUBLIC_ID_KEY": settings.public_id_key, "HEALTHHUB_KEY_DIR": str(settings.key_dir)}
        self.log_path = log_path
        self._log = log_path.open("wb")
        executable = Path(sys.executable).with_name("healthhub")
        # Its own process group: the finalizer can end the master and both workers, and nothing else.
        self.process = subprocess.Popen([str(executable), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                         "--workers", "2"], env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    self._warm_up()
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"server not ready after {timeout} s:\n{self.log_tail()}")

    def _warm_up(self) -> None:
        # Separate connections reach both workers, so their first-request work is not timed as load.
        for _ in range(8):
            httpx.get(f"{self.base_url}/readyz", timeout=30)

    def stop(self, timeout: float = 20) -> float | None:
        """SIGTERM, as an operator would; seconds until it exited, or None if it had to be killed."""
        if self.process.poll() is not None:
            return 0.0
        started = time.monotonic()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
            return time.monotonic() - started
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            return None
        finally:
            self._log.close()

    def log_tail(self, size: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-size:]


@pytest.fixture(scope="module")
def server(pg_url, shop, tmp_path_factory):
    running = Server(pg_url, tmp_path_factory.mktemp("server") / "server.log")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _outbox(database: Database, redirect_url: str) -> list[str]:
    with database.session_scope() as session:
        return list(session.execute(select(SandboxCallback.body).where(
            SandboxCallback.intent_id == redirect_url.rsplit("/", 1)[1]).order_by(SandboxCallback.id)).scalars())


class Buyer:
    """One shopper's HTTP journey: order, pay on the sandbox page, callbacks delivered again in parallel."""

    def __init__(self, calls: Calls, client: httpx.Client, headers: dict, address_id: int, name: str):
        self.calls, self.client, self.headers, self.address_id, self.name = calls, client, headers, address_id, name

    def order(self, product_id: int, key: str, deadline: float) -> httpx.Response | None:
        body = {"address_id": pid(self.address_id), "items": [{"product_id": pid(product_id), "quantity": 1}]}
        while True:
            response = self.calls.send(self.client, "POST", "/api/v1/orders", "order", json=body,
                                       headers={**self.headers, "Idempotency-Key": key})
            if response is None or response.status_code != 503 or time.monotonic() > deadline:
                return response
            # A well-behaved client: same key, after the advertised pause.
            time.sleep(float(response.headers.get("retry-after", "1")))

    def pay(self, database: Database, order_id: int, copies: int) -> None:
        payment = self.calls.send(self.client, "POST", f"/api/v1/orders/{order_id}/payments", "pay",
                                  json={"provider": "sandbox"}, headers={**self.headers,
                                                                         "Idempotency-Key": f"payment-{self.name}-{order_id}"})
        assert payment is not None and payment.status_code == 201, payment and payment.text
        redirect = payment.json()["redirect_url"]
        clicked = self.calls.send(self.client, "POST", redirect, "sandbox-page", data={"action": "pay"})
        assert clicked is not None and clicked.status_code == 303, clicked and clicked.text
        # The provider's own delivery is under way; the same signed callbacks arrive again, at once.
        bodies = [b.encode() for b in _outbox(database, redirect)] * copies
        with ThreadPoolExecutor(len(bodies)) as pool:
            list(pool.map(lambda body: self.calls.send(self.client, "POST", "/api/v1/payments/callbacks/sandbox",
                                                       "callback", content=body, headers=signed_headers(body)),
                          bodies))

    def wait_paid(self, order_id: int, timeout: float = REQUEST_BOUND_S) -> str:
        deadline = time.monotonic() + timeout
        while True:
            response = self.calls.send(self.client, "GET", f"/api/v1/orders/{order_id}", "order-status",
                                       headers=self.headers)
            status = response.json()["status"] if response is not None and response.status_code == 200 else "?"
            if status != "pending_payment" or time.monotonic() > deadline:
                return status
            time.sleep(0.2)


class HealthzPoller:
    """tests/server/healthz_poller.py in its own process; `stop()` returns its (status, seconds) samples."""

    def __init__(self, base_url: str):
        self.process = subprocess.Popen([sys.executable, "-m", "tests.server.healthz_poller", base_url],
                                        cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready", "the /healthz poller did not start"

    def stop(self) -> list[tuple[int | str, float]]:
        self.process.terminate()
        output, _ = self.process.communicate(timeout=10)
        samples = []
        for line in output.splitlines():
            status, seconds = line.split()
            samples.append((int(status) if status.isdigit() else status, float(seconds)))
        return samples


def test_deadlock_rush_and_healthz_on_the_real_server(server, shop, capsys):
    database, calls = shop["database"], Calls()
    limits = httpx.Limits(max_connections=BUYERS + 20, max_keepalive_connections=BUYERS + 20)
    client = httpx.Client(base_url=server.base_url, timeout=REQUEST_BOUND_S, limits=limits)
    crowd = [Buyer(calls, client, headers, address, f"b{n}") for n, (headers, address) in enumerate(shop["buyers"])]
    payer, rushers = crowd[0], crowd[1:]
    poller = HealthzPoller(server.base_url)
    start_line = threading.Barrier(BUYERS + 1)
    outcomes: dict[str, str] = {}

    def deadlock_reproduction() -> list[str]:
        start_line.wait(30)
        first, second = (payer.order(shop["plenty"], f"deadlock-order-{n}", time.monotonic() + 20) for n in (1, 2))
        assert first.status_code == second.status_code == 201, (first.text, second.text)
        payer.pay(database, first.json()["id"], copies=4)  # order 1 paid, its callbacks racing ...
        payer.pay(database, second.json()["id"], copies=4)  # ... while order 2's payment starts: the old hang
        return [payer.wait_paid(o.json()["id"]) for o in (first, second)]

    def rush(buyer: Buyer) -> None:
        start_line.wait(30)
        response = buyer.order(shop["scarce"], f"rush-order-{buyer.name}", time.monotonic() + 40)
        outcome = "no answer" if response is None else (
            "sold" if response.status_code == 201 else response.json().get("code", str(response.status_code)))
        outcomes[buyer.name] = outcome
        if outcome == "sold":
            buyer.pay(database, response.json()["id"], copies=2)
            outcomes[buyer.name] = "paid" if buyer.wait_paid(response.json()["id"]) != "pending_payment" else "unpaid"

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(BUYERS + 1) as pool:
            deadlock = pool.submit(deadlock_reproduction)
            list(pool.map(rush, rushers))
            deadlock_statuses = deadlock.result(timeout=60)
    finally:
        healthz_samples = poller.stop()
        client.close()
    elapsed = time.monotonic() - started
    stopped_in = server.stop()

    with database.session_scope() as session:
        sold = session.execute(select(func.coalesce(func.sum(OrderLine.quantity), 0)).join(
            Order, Order.id == OrderLine.order_id).where(OrderLine.product_id == shop["scarce"],
                                                         Order.status != "cancelled")).scalar_one()
        left = builders.available(session, shop["scarce"], shop["warehouse"])
    healthz = [seconds for _status, seconds in healthz_samples]
    rush_orders = calls.of("order")
    statuses = Counter(c.status for c in calls.rows)
    figures = {
        "seconds": round(elapsed, 1), "requests": len(calls.rows), "statuses": dict(sorted(statuses.items(), key=str)),
        "rush_outcomes": dict(Counter(outcomes.values())), "units_sold": sold, "units_left": left,
        "order_p50_s": round(percentile([c.seconds for c in rush_orders], 50), 3),
        "order_p99_s": round(percentile([c.seconds for c in rush_orders], 99), 3),
        "order_409": sum(c.status == 409 for c in rush_orders), "order_503": sum(c.status == 503 for c in rush_orders),
        "healthz_samples": len(healthz), "healthz_p99_s": round(percentile(healthz, 99), 3),
        "healthz_max_s": round(max(healthz, default=0), 3), "sigterm_exit_s": stopped_in,
    }
    with capsys.disabled():
        print(f"\nreal-server figures: {figures}")

    unanswered = [c for c in calls.rows if not isinstance(c.status, int)]
    assert unanswered == [], f"requests without an answer: {unanswered[:5]}\n{server.log_tail()}"
    assert max(c.seconds for c in calls.rows) < REQUEST_BOUND_S
    assert [c for c in calls.rows if c.status >= 500 and c.status != 503] == [], server.log_tail()
    assert all(c.retry_after for c in calls.rows if c.status == 503), "a 503 without Retry-After"
    assert len(healthz) >= 10 and {status for status, _seconds in healthz_samples} == {200}
    assert max(healthz) < HEALTHZ_BOUND_S, f"/healthz took {max(healthz):.2f} s"
    assert deadlock_statuses[0] != "pending_payment" and deadlock_statuses[1] != "pending_payment"
    assert Counter(outcomes.values()) == {"paid": UNITS, "out-of-stock": BUYERS - UNITS}
    assert sold == UNITS and left == 0
    assert {c.status for c in calls.of("callback")} == {200}
    assert stopped_in is not None, "the server ignored SIGTERM and had to be killed"
