"""entitlement uses tied to consultations

Revision ID: d3ebe4e63e85
Revises: db9d1f5550c5
Create Date: 2026-12-02 10:20:02.005338
"""
from alembic import op
import sqlalchemy as sa
import healthhub.core.db
import healthhub.core.crypto


revision = 'd3ebe4e63e85'
down_revision = 'db9d1f5550c5'
branch_labels = None
depends_on = None


# The rows as this migration sees them (not the models, which move on).
uses = sa.table('fd_entitlement_uses', sa.column('id', sa.Integer()), sa.column('consultation_ref', sa.String()),
                sa.column('consultation_id', sa.Integer()), sa.column('detail', sa.JSON()))


def upgrade() -> None:
    with op.batch_alter_table('fd_entitlement_uses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consultation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released_at', healthhub.core.db.UTCDateTime(timezone=True), nullable=True))
    # Uses made through the retired free-text endpoint name no real consultation: their reference
    # stays as evidence in detail, and consultation_id stays NULL.
    connection = op.get_bind()
    for row in connection.execute(sa.select(uses.c.id, uses.c.consultation_ref, uses.c.detail)).all():
        connection.execute(uses.update().where(uses.c.id == row.id).values(
            detail={**(row.detail or {}), 'legacy_consultation_ref': row.consultation_ref}))
    with op.batch_alter_table('fd_entitlement_uses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_fd_entitlement_uses_subscription_id_consultation_ref'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_fd_entitlement_uses_consultation_id'), ['consultation_id'])
        batch_op.drop_column('consultation_ref')


def downgrade() -> None:
    with op.batch_alter_table('fd_entitlement_uses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consultation_ref', sa.VARCHAR(length=64), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(uses.c.id, uses.c.consultation_id, uses.c.detail)).all():
        ref = (row.detail or {}).get('legacy_consultation_ref') or str(row.consultation_id)
        connection.execute(uses.update().where(uses.c.id == row.id).values(consultation_ref=ref))
    with op.batch_alter_table('fd_entitlement_uses', schema=None) as batch_op:
        batch_op.alter_column('consultation_ref', existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_fd_entitlement_uses_consultation_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_fd_entitlement_uses_subscription_id_consultation_ref'), ['subscription_id', 'consultation_ref'])
        batch_op.drop_column('released_at')
        batch_op.drop_column('consultation_id')
