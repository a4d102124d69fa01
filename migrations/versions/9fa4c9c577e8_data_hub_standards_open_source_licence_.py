"""data hub standards, open-source licence and need requirements

Revision ID: 9fa4c9c577e8
Revises: c8f2d6a1e9b3
Create Date: 2026-12-03 15:10:14.804437

The data-hub / open-source lever of the 4th Smart City Plan (docs/data-hub.md): which data-hub
interfaces a solution supports (solution_data_hub_standard), its SPDX licence and source URL
(a licence needs a URL: a CHECK), where a deployment runs on a data hub, and what a need
requires (data hub, optionally one standard, open source; existing needs require nothing).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9fa4c9c577e8'
down_revision = 'c8f2d6a1e9b3'
branch_labels = None
depends_on = None

STANDARDS = ('ngsi_ld', 'onem2m', 'fiware', 'ogc_sensorthings', 'data_go_kr', 'its_standard',
             'vworld')
STANDARD_IN = "required_data_hub_standard IN ({})".format(
    ", ".join(f"'{code}'" for code in STANDARDS))
HAS_SOURCE_URL = "open_source_license IS NULL OR source_url IS NOT NULL"

# Plain ALTER TABLE, not batch mode (as in c3a9e5d17b42): on SQLite a batch copy of `solution`
# would lose its expression index (ix_solution_listed_newest) and of `need` its partial ones.
# SQLite cannot add a table CHECK in place, so there the CHECKs ride on the added column (which
# SQLite allows, and DROP COLUMN removes with it); PostgreSQL gets ordinary named constraints.


def upgrade():
    op.create_table('solution_data_hub_standard',
    sa.Column('solution_id', sa.Integer(), nullable=False),
    sa.Column('standard', sa.Enum(*STANDARDS, name='data_hub_standard', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['solution_id'], ['solution.id'], name=op.f('fk_solution_data_hub_standard_solution_id_solution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('solution_id', 'standard', name=op.f('pk_solution_data_hub_standard'))
    )
    op.add_column('deployment_reference', sa.Column('data_hub_name', sa.String(length=100), nullable=True))
    op.add_column('need', sa.Column('requires_data_hub', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('need', sa.Column('requires_open_source', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('solution', sa.Column('open_source_license', sa.String(length=200), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE need ADD COLUMN required_data_hub_standard VARCHAR(32) "
                   f"CONSTRAINT ck_need_need_data_hub_standard CHECK ({STANDARD_IN})")
        op.execute("ALTER TABLE solution ADD COLUMN source_url VARCHAR(500) "
                   f"CONSTRAINT ck_solution_open_source_has_source_url CHECK ({HAS_SOURCE_URL})")
    else:
        op.add_column('need', sa.Column('required_data_hub_standard', sa.String(length=32), nullable=True))
        op.create_check_constraint(op.f('ck_need_need_data_hub_standard'), 'need', STANDARD_IN)
        op.add_column('solution', sa.Column('source_url', sa.String(length=500), nullable=True))
        op.create_check_constraint(op.f('ck_solution_open_source_has_source_url'), 'solution',
                                   HAS_SOURCE_URL)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('ck_solution_open_source_has_source_url'), 'solution', type_='check')
        op.drop_constraint(op.f('ck_need_need_data_hub_standard'), 'need', type_='check')
    op.drop_column('solution', 'source_url')
    op.drop_column('solution', 'open_source_license')
    op.drop_column('need', 'required_data_hub_standard')
    op.drop_column('need', 'requires_open_source')
    op.drop_column('need', 'requires_data_hub')
    op.drop_column('deployment_reference', 'data_hub_name')
    op.drop_table('solution_data_hub_standard')
