"""The payment tables move from the orders branch to the payments branch with their rows: every earlier payment
becomes an order's (paid by the order's buyer), and each purchase the family-doctor sandbox step marked paid
becomes a payment of that purchase."""
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from healthhub.core.migrations import alembic_config
from healthhub.identity.models import User
from healthhub.payments import service as payments

# The revisions that created the payment tables (orders) and the purchases (family doctor).
ORDERS_WITH_PAYMENTS = "f95c3be18106"
FAMILY_DOCTOR_INITIAL = "db9d1f5550c5"
AT = datetime(2026, 1, 1, tzinfo=UTC)
SHIP_TO = ('{"recipient": "李娜", "mobile": "13912345678", "region": "北京市 朝阳区", "detail": "建国路88号",'
           ' "city_adcode": "110105", "lat": 39.9, "lng": 116.4}')

OLD_ROWS = (
    ("INSERT INTO orders (id, order_no, buyer_id, status, subtotal_cents, total_cents, paid_cents, refunded_cents,"
     " ship_to, requires_rx, rx_claimed, reserved_until, created_at, updated_at)"
     " VALUES (1, 'N1', 1, 'cancelled', 1000, 1000, 1000, 400, :ship_to, false, false, :at, :at, :at)"),
    # Keys from the sequences, as the application made them (a later insert must not collide with them).
    ("INSERT INTO payments (order_id, provider, provider_ref, status, amount_cents, captured_cents, refunded_cents,"
     " provider_seq, redirect_url, created_at, updated_at)"
     " VALUES (1, 'sandbox', 'pi_old', 'partially_refunded', 1000, 1000, 400, 3, '/pay/sandbox/pi_old', :at, :at)"),
    ("INSERT INTO payment_refunds (payment_id, provider_ref, amount_cents, reason, created_at)"
     " SELECT id, 're_old', 400, '部分退货', :at FROM payments WHERE provider_ref = 'pi_old'"),
    ("INSERT INTO payment_events (id, provider, event_id, event_type, provider_ref, sequence, outcome, payload,"
     " received_at) VALUES (1, 'sandbox', 'evt_old', 'payment.succeeded', 'pi_old', 2, 'applied', '{}', :at)"),
    ("INSERT INTO sandbox_intents (id, merchant_reference, description, amount_cents, captured_cents, refunded_cents,"
     " status, sequence, return_url, callback_url, created_at) VALUES ('pi_old', 'N1', 'HealthHub 订单 N1', 1000,"
     " 1000, 400, 'partially_refunded', 3, '/orders/x', 'http://testserver/api/v1/payments/callbacks/sandbox', :at)"),
    ("INSERT INTO sandbox_callbacks (id, event_id, intent_id, target_url, body, created_at)"
     " VALUES (1, 'evt_old', 'pi_old', 'http://testserver/api/v1/payments/callbacks/sandbox', '{}', :at)"),
    ("INSERT INTO fd_packages (id, code, name, description, price_cents, period_days, included_consultations,"
     " response_minutes, members_covered, active, created_at, updated_at)"
     " VALUES (1, 'fd-personal', '个人家庭医生', '', 29900, 365, 12, 30, 1, true, :at, :at)"),
    ("INSERT INTO fd_subscriptions (id, account_user_id, package_id, status, member_patient_ids, starts_at, ends_at,"
     " consultations_total, consultations_used, created_at, updated_at)"
     " VALUES (1, 2, 1, 'ACTIVE', '[]', :at, :at, 12, 0, :at, :at)"),
    ("INSERT INTO fd_purchases (id, subscription_id, kind, amount_cents, period_days, consultations, status,"
     " payment_ref, created_at, paid_at) VALUES (1, 1, 'subscribe', 29900, 365, 12, 'PAID', 'sandbox-0a1b2c', :at, :at)"),
    ("INSERT INTO fd_purchases (id, subscription_id, kind, amount_cents, period_days, consultations, status,"
     " payment_ref, created_at, paid_at) VALUES (2, 1, 'renew', 29900, 365, 12, 'PENDING', NULL, :at, NULL)"),
)


def test_migration_keeps_every_payment_and_folds_in_paid_family_doctor_purchases(empty_database_url):
    config = alembic_config(empty_database_url)
    command.upgrade(config, "core@head")  # users as the models know them
    command.upgrade(config, ORDERS_WITH_PAYMENTS)
    command.upgrade(config, FAMILY_DOCTOR_INITIAL)
    engine = create_engine(empty_database_url)
    with Session(engine) as session:
        session.add_all([User(id=1, username="buyer", display_name="买家", role="patient", password_hash="-"),
                         User(id=2, username="subscriber", display_name="签约人", role="patient", password_hash="-")])
        session.commit()
    with engine.begin() as connection:
        for statement in OLD_ROWS:
            connection.execute(text(statement), {"ship_to": SHIP_TO, "at": AT})
    command.upgrade(config, "heads")

    with Session(engine) as session:
        [order_payment] = payments.payments_of(session, payable_kind="order", payable_id=1)
        [purchase_payment] = payments.payments_of(session, payable_kind="family_doctor_purchase", payable_id=1)
        assert payments.payments_of(session, payable_kind="family_doctor_purchase", payable_id=2) == []
        counts = {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("payments", "payment_refunds", "payment_events", "sandbox_intents", "sandbox_callbacks")}
        refund_of = session.execute(text("SELECT payment_id FROM payment_refunds WHERE provider_ref = 're_old'")).scalar_one()
    engine.dispose()
    assert refund_of == order_payment.id
    assert (order_payment.payer_id, order_payment.provider, order_payment.provider_ref,
            order_payment.status, order_payment.amount_cents, order_payment.captured_cents,
            order_payment.refunded_cents, order_payment.redirect_url, order_payment.created_at) == (
        1, "sandbox", "pi_old", "partially_refunded", 1000, 1000, 400, "/pay/sandbox/pi_old", AT)
    assert (purchase_payment.payer_id, purchase_payment.provider, purchase_payment.provider_ref,
            purchase_payment.status, purchase_payment.amount_cents, purchase_payment.held_cents,
            purchase_payment.created_at) == (2, "sandbox", "sandbox-0a1b2c", "succeeded", 29900, 29900, AT)
    assert counts == {"payments": 2, "payment_refunds": 1, "payment_events": 1, "sandbox_intents": 1,
                      "sandbox_callbacks": 1}
