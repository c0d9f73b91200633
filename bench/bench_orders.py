"""Orders per second on PostgreSQL through the service layer, next to pgbench TPC-B tps in the same run.

Both run with the same number of client threads against throw-away databases on the same server:
ours places real orders (price check, routing, FEFO reservation, order rows, audit entry) and
commits each in its own transaction; pgbench runs its standard TPC-B-like script. The ratio says
how many of our orders cost one TPC-B transaction. Both databases are dropped at the end.
"""
import os
import re
import shutil
import subprocess
import threading
import time
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.harness import Report
from healthhub.core.db import Database, utcnow
from healthhub.core.migrations import upgrade
from healthhub.orders.checkout import OrderItem
from healthhub.orders.lifecycle import create_order
from healthhub.seed.shop import make_buyer, make_product, stock_location

PG_URL = os.environ.get("HEALTHHUB_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CLIENTS = int(os.environ.get("HEALTHHUB_BENCH_CLIENTS", "8"))
SECONDS = 20
SINGLE_SECONDS = 10  # the one-thread figure: per-order cost without contention
PRODUCTS = 20


def _admin(statement: str) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _seed(database: Database) -> tuple[list[int], list[tuple[int, int]]]:
    """Buyers with a Beijing address, and in-stock OTC products in a Beijing warehouse."""
    with database.session_scope() as session:
        location = stock_location(session, code="BENCH-WH")
        products = [make_product(session, name=f"压测保健品{i}号", price_cents=1000 + i, rx=False, health=True,
                                 stock=[(location, 1_000_000)]) for i in range(PRODUCTS)]
        buyers = [make_buyer(session, username=f"bench_buyer_{i}") for i in range(CLIENTS)]
    return products, buyers


def _orders_per_second(database: Database, products: list[int], buyers: list[tuple[int, int]],
                       seconds: int = SECONDS) -> tuple[float, int]:
    """One thread per buyer, each placing one-line orders back to back for `seconds`."""
    stop = time.perf_counter() + seconds
    counts = [0] * len(buyers)
    failures = [0] * len(buyers)

    def buyer_loop(index: int) -> None:
        buyer_id, address_id = buyers[index]
        n = index
        while time.perf_counter() < stop:
            n += 1
            try:
                with database.session_scope() as session:
                    create_order(session, buyer_id=buyer_id, address_id=address_id, rx=None, now=utcnow(),
                                 items=[OrderItem(products[n % len(products)], 1)])
                counts[index] += 1
            except Exception:  # noqa: BLE001  (a failed order is counted, not fatal to the run)
                failures[index] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=buyer_loop, args=(i,)) for i in range(len(buyers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(failures)


def _pgbench_tps(name: str) -> float:
    url = make_url(PG_URL)
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    subprocess.run(["pgbench", *args, "-i", "-s", "10", "-q", name], check=True, capture_output=True, env=env)
    result = subprocess.run(["pgbench", *args, "-c", str(CLIENTS), "-j", str(CLIENTS), "-T", str(SECONDS), name],
                            check=True, capture_output=True, text=True, env=env)
    match = re.search(r"tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)",
                      result.stdout)
    if match is None:
        raise RuntimeError(f"could not read pgbench output:\n{result.stdout}")
    return float(match.group(1))


def run(report: Report) -> None:
    if shutil.which("pgbench") is None:
        report.add("orders: pgbench not installed, skipped", "n/a")
        return
    suffix = uuid.uuid4().hex[:8]
    ours, baseline = f"hh_bench_orders_{suffix}", f"hh_bench_pgbench_{suffix}"
    _admin(f'CREATE DATABASE "{ours}"')
    _admin(f'CREATE DATABASE "{baseline}"')
    database = None
    try:
        upgrade(_database_url(ours))
        database = Database(_database_url(ours))
        products, buyers = _seed(database)
        rate, failed = _orders_per_second(database, products, buyers)
        single, single_failed = _orders_per_second(database, products, buyers[:1], seconds=SINGLE_SECONDS)
        tps = _pgbench_tps(baseline)
        report.add(f"orders placed per second ({CLIENTS} threads, service layer, PostgreSQL)", rate, "orders/s")
        report.add("orders that failed during the run", str(failed + single_failed))
        report.add("orders placed per second (1 thread, service layer, PostgreSQL)", single, "orders/s")
        report.add(f"pgbench TPC-B tps (-s 10, -c {CLIENTS}, -T {SECONDS})", tps, "tps")
        report.add("ratio orders/s ÷ pgbench tps", rate / tps, "x")
    finally:
        if database is not None:
            database.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{ours}" WITH (FORCE)')
        _admin(f'DROP DATABASE IF EXISTS "{baseline}" WITH (FORCE)')
