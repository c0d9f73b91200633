"""encrypt order recipient and mobile

Revision ID: 84c3ac2afcf1
Revises: 0de6e2121cba
Create Date: 2026-12-03 07:57:53.719258
"""
from alembic import op
import sqlalchemy as sa
import healthhub.core.db
import healthhub.core.crypto


revision = '84c3ac2afcf1'
down_revision = '0de6e2121cba'
branch_labels = None
depends_on = None


# The rows as this migration sees them (not the models, which move on). The EncryptedString
# columns encrypt on write and decrypt on read with the installation's PII key.
orders = sa.table('orders', sa.column('id', sa.Integer()), sa.column('ship_to', sa.JSON()),
                  sa.column('recipient', healthhub.core.crypto.EncryptedString()),
                  sa.column('recipient_mobile', healthhub.core.crypto.EncryptedString()))
RECIPIENT_FIELDS = ('recipient', 'mobile')


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient', healthhub.core.crypto.EncryptedString(length=255), nullable=True))
        batch_op.add_column(sa.Column('recipient_mobile', healthhub.core.crypto.EncryptedString(length=255),
                                      nullable=True))
    # Existing orders kept the recipient's name and full mobile in clear inside ship_to: move them
    # into the encrypted columns and leave only the place behind.
    connection = op.get_bind()
    for row in connection.execute(sa.select(orders.c.id, orders.c.ship_to)).all():
        place = {k: v for k, v in row.ship_to.items() if k not in RECIPIENT_FIELDS}
        connection.execute(orders.update().where(orders.c.id == row.id).values(
            ship_to=place, recipient=row.ship_to['recipient'], recipient_mobile=row.ship_to['mobile']))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.alter_column('recipient', existing_type=healthhub.core.crypto.EncryptedString(length=255),
                              nullable=False)
        batch_op.alter_column('recipient_mobile', existing_type=healthhub.core.crypto.EncryptedString(length=255),
                              nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(orders.c.id, orders.c.ship_to, orders.c.recipient,
                                            orders.c.recipient_mobile)).all():
        connection.execute(orders.update().where(orders.c.id == row.id).values(
            ship_to={**row.ship_to, 'recipient': row.recipient, 'mobile': row.recipient_mobile}))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('recipient_mobile')
        batch_op.drop_column('recipient')
