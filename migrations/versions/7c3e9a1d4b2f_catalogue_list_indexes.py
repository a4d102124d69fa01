"""catalogue: partial indexes matching the public lists' filters and sort orders

Revision ID: 7c3e9a1d4b2f
Revises: 5e1f0c2a9b7d
Create Date: 2026-12-01 22:45:00.000000

The public solution and need lists, their counts and the landing statistics read a dozen
index entries instead of scanning every row (issue 7 §6; figures in docs/benchmarks.md).
Keyword search (ILIKE '%term%') gets GIN trigram indexes on PostgreSQL. pg_trgm is a trusted
extension (PostgreSQL 13+), so the database owner creates it without superuser; on SQLite the
same names are plain indexes (the models declare one index for both).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e9a1d4b2f'
down_revision = '5e1f0c2a9b7d'
branch_labels = None
depends_on = None

LISTED_SOLUTION = "status = 'published' AND moderation_status = 'active'"
ACTIVE_NEED = "moderation_status = 'active'"
TRIGRAM_INDEXES = (
    ('ix_solution_title_trgm', 'solution', 'title'),
    ('ix_solution_summary_trgm', 'solution', 'summary'),
    ('ix_solution_description_trgm', 'solution', 'description'),
    ('ix_need_title_trgm', 'need', 'title'),
    ('ix_need_description_trgm', 'need', 'description'),
)


def _partial(condition: str) -> dict:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def _trigram_opclass(bind) -> str:
    """The trigram operator class, qualified by the schema pg_trgm lives in (PostgreSQL only)."""
    if bind.dialect.name != 'postgresql':
        return 'gin_trgm_ops'
    bind.execute(sa.text('CREATE EXTENSION IF NOT EXISTS pg_trgm'))
    schema = bind.scalar(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"))
    return f'"{schema}".gin_trgm_ops'


def upgrade():
    op.create_index('ix_solution_listed_newest', 'solution',
                    [sa.text('coalesce(published_at, created_at) DESC'), sa.text('id DESC')],
                    **_partial(LISTED_SOLUTION))
    op.create_index('ix_solution_listed_company', 'solution', ['company_id', 'id'],
                    **_partial(LISTED_SOLUTION))
    op.create_index('ix_need_active_status_created', 'need', ['status', 'created_at', 'id'],
                    **_partial(ACTIVE_NEED))
    op.create_index('ix_need_active_municipality', 'need',
                    ['municipality_id', 'created_by_id', 'status'], **_partial(ACTIVE_NEED))
    op.create_index('ix_solution_tag_tag_id', 'solution_tag', ['tag_id'])
    opclass = _trigram_opclass(op.get_bind())
    for name, table, column in TRIGRAM_INDEXES:
        op.create_index(name, table, [column], postgresql_using='gin',
                        postgresql_ops={column: opclass})


def downgrade():
    for name, table, _column in reversed(TRIGRAM_INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index('ix_solution_tag_tag_id', table_name='solution_tag')
    op.drop_index('ix_need_active_municipality', table_name='need')
    op.drop_index('ix_need_active_status_created', table_name='need')
    op.drop_index('ix_solution_listed_company', table_name='solution')
    op.drop_index('ix_solution_listed_newest', table_name='solution')
