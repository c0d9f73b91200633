"""family-doctor contract cover on the patient

Revision ID: c3e04da5003c
Revises: dc5cbffef709
Create Date: 2026-12-07 13:30:01.000000
"""
from alembic import op
import sqlalchemy as sa
import healthhub.core.db


revision = 'c3e04da5003c'
down_revision = 'dc5cbffef709'
branch_labels = None
# The cover is filled in from the family-doctor contracts that already run (fd_subscriptions).
depends_on = 'db9d1f5550c5'


def upgrade() -> None:
    with op.batch_alter_table('hospital_patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('family_contract_until', healthhub.core.db.UTCDateTime(timezone=True),
                                      nullable=True))
    _fill_cover_from_running_contracts()


def _fill_cover_from_running_contracts() -> None:
    """Each member's latest end among the account's ACTIVE contracts, as the family-doctor domain keeps it."""
    subscriptions = sa.table('fd_subscriptions', sa.column('account_user_id', sa.Integer),
                             sa.column('status', sa.String), sa.column('member_patient_ids', sa.JSON),
                             sa.column('ends_at', healthhub.core.db.UTCDateTime(timezone=True)))
    patients = sa.table('hospital_patients', sa.column('id', sa.Integer), sa.column('account_user_id', sa.Integer),
                        sa.column('family_contract_until', healthhub.core.db.UTCDateTime(timezone=True)))
    bind = op.get_bind()
    cover = {}
    for account, members, ends_at in bind.execute(sa.select(
            subscriptions.c.account_user_id, subscriptions.c.member_patient_ids, subscriptions.c.ends_at).where(
            subscriptions.c.status == 'ACTIVE', subscriptions.c.ends_at.is_not(None))):
        for patient_id in members or []:
            key = (account, int(patient_id))
            cover[key] = max(cover.get(key, ends_at), ends_at)
    for (account, patient_id), until in cover.items():
        bind.execute(sa.update(patients).where(patients.c.id == patient_id, patients.c.account_user_id == account)
                     .values(family_contract_until=until))


def downgrade() -> None:
    with op.batch_alter_table('hospital_patients', schema=None) as batch_op:
        batch_op.drop_column('family_contract_until')
