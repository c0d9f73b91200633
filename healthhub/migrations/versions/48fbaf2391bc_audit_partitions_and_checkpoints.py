"""audit partitions and checkpoints

The one audit chain becomes the frozen partition "legacy": its entries keep their hashes (seq becomes
their position) and its head moves to the per-partition head table, so they still verify.

Revision ID: 48fbaf2391bc
Revises: 738b15c3d00c
Create Date: 2026-12-03 08:00:28.770112
"""
from alembic import op
import sqlalchemy as sa
import healthhub.core.db

from healthhub.migrations.audit_triggers import create_append_only_triggers, drop_append_only_triggers


revision = '48fbaf2391bc'
down_revision = '738b15c3d00c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', healthhub.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    sa.UniqueConstraint('digest', name=op.f('uq_audit_checkpoints_digest'))
    )

    legacy_head = op.get_bind().execute(sa.text("SELECT last_seq, last_hash FROM audit_head WHERE id = 1")).first()
    op.drop_table('audit_head')
    audit_head = op.create_table('audit_head',
    sa.Column('partition', sa.String(length=16), nullable=False),
    sa.Column('last_position', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('partition', name=op.f('pk_audit_head'))
    )
    if legacy_head is not None:
        op.bulk_insert(audit_head, [{"partition": "legacy", "last_position": legacy_head.last_seq,
                                     "last_hash": legacy_head.last_hash}])

    # The append-only triggers would refuse the backfill (and SQLite's batch copy would drop them).
    drop_append_only_triggers()
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partition', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=True))
    op.execute("UPDATE audit_log SET partition = 'legacy', position = seq")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('partition', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('position', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_audit_log_partition_position', ['partition', 'position'], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        # seq now comes from a sequence (SQLite's INTEGER PRIMARY KEY is its rowid already): no lock to number entries.
        op.execute("CREATE SEQUENCE audit_log_seq_seq OWNED BY audit_log.seq")
        op.execute("SELECT setval('audit_log_seq_seq', COALESCE(MAX(seq), 0) + 1, false) FROM audit_log")
        op.execute("ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT nextval('audit_log_seq_seq')")
    create_append_only_triggers()


def downgrade() -> None:
    # Entries of many partitions cannot become one chain again without re-hashing them, which is
    # exactly the rewrite the chain exists to expose.
    raise NotImplementedError("audit partitions cannot be merged back into one chain")
