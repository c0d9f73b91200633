"""payments branch: the payment tables move from orders and serve any payable

Revision ID: c89846da9979
Revises: 
Create Date: 2026-12-07 13:45:00.000000
"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa
import healthhub.core.db


revision = 'c89846da9979'
down_revision = None
branch_labels = ('payments',)
# payments, payment_refunds, payment_events, sandbox_intents and sandbox_callbacks keep their names and rows:
# the orders branch created them (f95c3be18106), and from here on their changes are revisions of this branch.
# The purchases the family-doctor sandbox step marked paid (fd_purchases, db9d1f5550c5) become payments too.
depends_on = ('core', 'f95c3be18106', 'db9d1f5550c5')

ORDER = 'order'
FAMILY_DOCTOR_PURCHASE = 'family_doctor_purchase'

# The rows as this migration sees them (not the models, which move on).
payments = sa.table('payments', sa.column('id', sa.Integer()), sa.column('order_id', sa.Integer()),
                    sa.column('payable_kind', sa.String()), sa.column('payable_id', sa.Integer()),
                    sa.column('payer_id', sa.Integer()), sa.column('provider', sa.String()),
                    sa.column('provider_ref', sa.String()), sa.column('status', sa.String()),
                    sa.column('amount_cents', sa.Integer()), sa.column('captured_cents', sa.Integer()),
                    sa.column('refunded_cents', sa.Integer()), sa.column('provider_seq', sa.Integer()),
                    sa.column('redirect_url', sa.String()),
                    sa.column('created_at', healthhub.core.db.UTCDateTime(timezone=True)),
                    sa.column('updated_at', healthhub.core.db.UTCDateTime(timezone=True)))
refunds = sa.table('payment_refunds', sa.column('id', sa.Integer()), sa.column('payment_id', sa.Integer()),
                   sa.column('provider_ref', sa.String()), sa.column('amount_cents', sa.Integer()),
                   sa.column('reason', sa.String()),
                   sa.column('created_at', healthhub.core.db.UTCDateTime(timezone=True)))
orders = sa.table('orders', sa.column('id', sa.Integer()), sa.column('buyer_id', sa.Integer()))
purchases = sa.table('fd_purchases', sa.column('id', sa.Integer()), sa.column('subscription_id', sa.Integer()),
                     sa.column('amount_cents', sa.Integer()), sa.column('status', sa.String()),
                     sa.column('payment_ref', sa.String()),
                     sa.column('created_at', healthhub.core.db.UTCDateTime(timezone=True)),
                     sa.column('paid_at', healthhub.core.db.UTCDateTime(timezone=True)))
subscriptions = sa.table('fd_subscriptions', sa.column('id', sa.Integer()), sa.column('account_user_id', sa.Integer()))


def upgrade() -> None:
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payable_kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('payable_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payer_id', sa.Integer(), nullable=True))
    # Every payment so far paid an order, and the order's buyer paid it.
    buyer = sa.select(orders.c.buyer_id).where(orders.c.id == payments.c.order_id).scalar_subquery()
    op.get_bind().execute(payments.update().values(payable_kind=ORDER, payable_id=payments.c.order_id,
                                                   payer_id=buyer))
    with _refunds_set_aside(), op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('payable_kind', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('payable_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('payer_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_payments_order_id'))
        batch_op.drop_constraint(batch_op.f('fk_payments_order_id_orders'), type_='foreignkey')
        batch_op.drop_column('order_id')
        batch_op.create_index('ix_payments_payable', ['payable_kind', 'payable_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_payer_id'), ['payer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payments_payer_id_users'), 'users', ['payer_id'], ['id'])
    _fold_in_family_doctor_payments()


@contextmanager
def _refunds_set_aside():
    """SQLite's batch mode copies `payments` into a new table and drops the old one; foreign keys are enforced and
    cannot be switched off inside the migration's transaction, so payment_refunds rows pointing at `payments`
    wait outside the table meanwhile. PostgreSQL alters the table in place."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        yield
        return
    rows = [dict(row._mapping) for row in bind.execute(sa.select(refunds))]
    bind.execute(refunds.delete())
    yield
    if rows:
        bind.execute(refunds.insert(), rows)


def _fold_in_family_doctor_payments() -> None:
    """The family-doctor sandbox step marked a purchase paid without a payment record; its reference stays on
    the purchase (payment_ref) and becomes the payment's provider reference, as for every later purchase."""
    bind = op.get_bind()
    paid = bind.execute(sa.select(purchases.c.id, purchases.c.amount_cents, purchases.c.payment_ref,
                                  purchases.c.created_at, purchases.c.paid_at, subscriptions.c.account_user_id)
                        .join(subscriptions, subscriptions.c.id == purchases.c.subscription_id)
                        .where(purchases.c.status == 'PAID').order_by(purchases.c.id)).all()
    if paid:
        bind.execute(payments.insert(), [
            {'payable_kind': FAMILY_DOCTOR_PURCHASE, 'payable_id': row.id, 'payer_id': row.account_user_id,
             'provider': 'sandbox', 'provider_ref': row.payment_ref, 'status': 'succeeded',
             'amount_cents': row.amount_cents, 'captured_cents': row.amount_cents, 'refunded_cents': 0,
             'provider_seq': 0, 'redirect_url': '', 'created_at': row.paid_at or row.created_at,
             'updated_at': row.paid_at or row.created_at} for row in paid])


def downgrade() -> None:
    # Before this revision a payment could only pay an order: the others go (a paid family-doctor purchase
    # keeps its payment_ref), with their refunds.
    bind = op.get_bind()
    others = sa.select(payments.c.id).where(payments.c.payable_kind != ORDER)
    bind.execute(refunds.delete().where(refunds.c.payment_id.in_(others)))
    bind.execute(payments.delete().where(payments.c.payable_kind != ORDER))
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
    bind.execute(payments.update().values(order_id=payments.c.payable_id))
    with _refunds_set_aside(), op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.alter_column('order_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_payments_payer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payments_payer_id'))
        batch_op.drop_index('ix_payments_payable')
        batch_op.drop_column('payer_id')
        batch_op.drop_column('payable_id')
        batch_op.drop_column('payable_kind')
        batch_op.create_index(batch_op.f('ix_payments_order_id'), ['order_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payments_order_id_orders'), 'orders', ['order_id'], ['id'])
