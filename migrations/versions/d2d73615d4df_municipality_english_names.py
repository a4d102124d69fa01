"""municipality: official English names of local governments

Revision ID: d2d73615d4df
Revises: dcbc966d4447
Create Date: 2026-11-22 02:01:11.993458

The column is filled from app/data/municipalities.csv by `flask load-reference-data`
(an idempotent upsert that updates existing rows); until then English pages fall back to Korean.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2d73615d4df'
down_revision = 'dcbc966d4447'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('name_en')
