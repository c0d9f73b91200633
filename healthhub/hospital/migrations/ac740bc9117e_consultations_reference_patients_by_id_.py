"""consultations reference patients by id only: the patient registry moved to its own domain, and domains
reference each other's rows by id without a foreign key (only users.id may be one)

Revision ID: ac740bc9117e
Revises: b16a2207c852
Create Date: 2026-12-07 13:44:59.129190
"""
from alembic import op


revision = 'ac740bc9117e'
down_revision = 'b16a2207c852'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hospital_consultations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_hospital_consultations_record_id_hospital_records'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_hospital_consultations_patient_id_hospital_patients'), type_='foreignkey')



def downgrade() -> None:
    with op.batch_alter_table('hospital_consultations', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_hospital_consultations_patient_id_hospital_patients'), 'hospital_patients', ['patient_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_hospital_consultations_record_id_hospital_records'), 'hospital_records', ['record_id'], ['id'])

