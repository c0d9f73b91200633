"""Who receives an order is personal data: the name and mobile are stored encrypted, shown masked."""
import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from healthhub.core.crypto import field_cipher
from healthhub.core.migrations import alembic_config
from healthhub.core.public_ids import decode
from healthhub.identity.models import User
from tests.orders.conftest import place

# The orders revision before recipients were encrypted, and a row as that schema stored it.
PLAIN_RECIPIENT_REVISION = "0de6e2121cba"
OLD_SHIP_TO = ('{"recipient": "李娜", "mobile": "13912345678", "region": "北京市 朝阳区", "detail": "建国路88号",'
               ' "city_adcode": "110105", "lat": 39.9, "lng": 116.4}')


def test_an_order_stores_no_recipient_name_or_mobile_in_clear(client, db, shop):
    order = place(client, shop, (shop.otc, 1)).json()
    assert order["recipient"] == "张伟" and order["mobile_masked"] == "138****8000"
    raw = db.execute(text("SELECT ship_to, recipient, recipient_mobile FROM orders WHERE id = :id"),
                     {"id": decode(order["id"])}).one()
    stored = f"{_as_dict(raw.ship_to)} {raw.recipient} {raw.recipient_mobile}"
    assert "13800138000" not in stored and "张伟" not in stored
    assert raw.recipient_mobile.startswith("sm4gcm1:")


def _as_dict(ship_to: str | dict) -> dict:
    return json.loads(ship_to) if isinstance(ship_to, str) else ship_to  # SQLite hands back the JSON text


def test_migration_encrypts_the_recipients_of_existing_orders(empty_database_url):
    config = alembic_config(empty_database_url)
    command.upgrade(config, "core@head")  # users as the models know them
    command.upgrade(config, PLAIN_RECIPIENT_REVISION)
    engine = create_engine(empty_database_url)
    with Session(engine) as session:  # users belong to the core branch, which is at its head already
        session.add(User(id=1, username="buyer", display_name="买家", role="patient", password_hash="-"))
        session.commit()
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO orders (id, order_no, buyer_id, status, subtotal_cents, total_cents, paid_cents,"
            " refunded_cents, ship_to, requires_rx, rx_claimed, reserved_until, created_at, updated_at)"
            " VALUES (1, 'N1', 1, 'completed', 100, 100, 100, 0, :ship_to, false, false, :now, :now, :now)"),
            {"ship_to": OLD_SHIP_TO, "now": datetime(2026, 1, 1, tzinfo=UTC)})
    command.upgrade(config, "heads")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT ship_to, recipient, recipient_mobile FROM orders WHERE id = 1")).one()
    engine.dispose()
    assert _as_dict(row.ship_to) == {"region": "北京市 朝阳区", "detail": "建国路88号", "city_adcode": "110105",
                                     "lat": 39.9, "lng": 116.4}  # the place is kept, nothing else
    assert field_cipher().decrypt(row.recipient) == "李娜"
    assert field_cipher().decrypt(row.recipient_mobile) == "13912345678"
