"""job: at most one unfinished rematch job (a unique partial index)

Revision ID: b5d2e8f0c3a1
Revises: a7c3e9d41b20
Create Date: 2026-12-02 00:20:00.000000

Two admins pressing "rematch" at the same instant (or an admin and the nightly schedule) could
queue two rematch jobs: the check was a read in the view. The index makes the database refuse
the second; `jobs.start_single` answers with the job already there. Duplicates that an older
version left unfinished are marked failed first, keeping the oldest.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d2e8f0c3a1'
down_revision = 'a7c3e9d41b20'
branch_labels = None
depends_on = None

UNFINISHED_SINGLE = "kind IN ('rematch') AND status IN ('queued', 'running')"


def upgrade():
    op.execute(sa.text(
        "UPDATE job SET status = 'failed', error = 'duplicate of an earlier rematch job' "
        f"WHERE {UNFINISHED_SINGLE} AND id NOT IN ("
        f"  SELECT id FROM (SELECT id FROM job WHERE {UNFINISHED_SINGLE} "
        "   ORDER BY created_at, id LIMIT 1) AS oldest)"))
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('uq_job_one_unfinished_per_single_kind', ['kind'], unique=True,
                              sqlite_where=sa.text(UNFINISHED_SINGLE),
                              postgresql_where=sa.text(UNFINISHED_SINGLE))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('uq_job_one_unfinished_per_single_kind',
                            sqlite_where=sa.text(UNFINISHED_SINGLE),
                            postgresql_where=sa.text(UNFINISHED_SINGLE))
