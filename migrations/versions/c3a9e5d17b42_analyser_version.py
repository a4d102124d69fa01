"""solution, need: the analyser version of the stored analysis

Revision ID: c3a9e5d17b42
Revises: b4d8f2a61c3e
Create Date: 2026-12-02 06:45:00.000000

`analyser_version` records which `matching.ANALYSER_VERSION` produced `analysed_text`. Existing
rows get NULL (analysed by an unknown, older analyser), so `flask reanalyse` (or the worker's
periodic re-analysis) redoes them with the current analyser. The index lets that task find the
stale rows (NULL, or a version below or above the current one) without reading every row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9e5d17b42'
down_revision = 'b4d8f2a61c3e'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch copy of `solution` would lose its
# expression index (ix_solution_listed_newest), which reflection cannot see. SQLite ≥ 3.35
# drops a column in place.


def upgrade():
    for table in ('solution', 'need'):
        op.add_column(table, sa.Column('analyser_version', sa.String(length=40), nullable=True))
        op.create_index(op.f(f'ix_{table}_analyser_version'), table, ['analyser_version'],
                        unique=False)


def downgrade():
    for table in ('need', 'solution'):
        op.drop_index(op.f(f'ix_{table}_analyser_version'), table_name=table)
        op.drop_column(table, 'analyser_version')
