"""need language and solution English fields (overseas demand, K-City Network)

Revision ID: b1e5a0c7d3f4
Revises: 3df0a6587da0
Create Date: 2026-12-03 15:20:00

Existing needs are Korean (server default "ko"); existing solutions have no English text yet.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b1e5a0c7d3f4'
down_revision = '3df0a6587da0'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: on SQLite a batch copy of `solution` would lose its
# expression index (ix_solution_listed_newest), which reflection cannot see. SQLite adds a column
# with its CHECK constraint in place; PostgreSQL adds the constraint separately.
LANGUAGE_CHECK = "language IN ('ko', 'en')"


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE need ADD COLUMN language VARCHAR(2) DEFAULT 'ko' NOT NULL "
                   f"CONSTRAINT ck_need_language_known CHECK ({LANGUAGE_CHECK})")
    else:
        op.add_column('need', sa.Column('language', sa.String(length=2), server_default='ko',
                                        nullable=False))
        op.create_check_constraint('language_known', 'need', LANGUAGE_CHECK)
    op.add_column('solution', sa.Column('title_en', sa.String(length=120), nullable=True))
    op.add_column('solution', sa.Column('summary_en', sa.String(length=200), nullable=True))
    op.add_column('solution', sa.Column('description_en', sa.Text(), nullable=True))


def downgrade():
    for column in ('description_en', 'summary_en', 'title_en'):
        op.drop_column('solution', column)
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('language_known', 'need', type_='check')
    op.drop_column('need', 'language')
