"""patients branch: the registry's tables move from the hospital domain as they are

Revision ID: dc5cbffef709
Revises:
Create Date: 2026-12-07 13:30:00.000000
"""


revision = 'dc5cbffef709'
down_revision = None
branch_labels = ('patients',)
# hospital_patients, hospital_consents and hospital_records keep their names and rows: the hospital branch
# created them (1bed539592df), and from here on their changes are revisions of this branch.
depends_on = ('core', '1bed539592df')


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
