"""population_decline_area and saved_search.declining_only: the plan's population-decline lever

Revision ID: a9d3c1e5f7b2
Revises: a7c3e91f5b20
Create Date: 2026-12-03 15:20:00.000000

The 89 인구감소지역 and 18 관심지역 of 행정안전부 고시 제2021-66호 (reference data, one row per local
government) and the saved-search switch that follows only needs from those places.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9d3c1e5f7b2'
down_revision = 'a7c3e91f5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('population_decline_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('decline', 'interest', name='decline_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('notice_number', sa.String(length=60), nullable=False),
    sa.Column('notice_date', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_population_decline_area_municipality_id_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_decline_area')),
    sa.UniqueConstraint('municipality_id', name=op.f('uq_population_decline_area_municipality_id'))
    )
    with op.batch_alter_table('population_decline_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_population_decline_area_kind'), ['kind'], unique=False)

    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declining_only', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_column('declining_only')

    with op.batch_alter_table('population_decline_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_population_decline_area_kind'))

    op.drop_table('population_decline_area')
