"""business status checks: the National Tax Service's answers about companies' numbers

Revision ID: b5d8f2a61c3e
Revises: b5d2e8f0c3a1
Create Date: 2026-12-02 00:30:00.000000

`business_status_check` keeps one row per query of the NTS status API (only written when
NTS_SERVICE_KEY is set); the admin's company review shows the latest.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d8f2a61c3e'
down_revision = 'b5d2e8f0c3a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'business_status_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('business_number', sa.String(length=10), nullable=False),
        sa.Column('status', sa.Enum('active', 'suspended', 'closed', 'unregistered', 'unavailable',
                                    name='business_status', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'],
                                name=op.f('fk_business_status_check_company_id_company'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_business_status_check')),
    )
    with op.batch_alter_table('business_status_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_status_check_company_id'), ['company_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('business_status_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_status_check_company_id'))
    op.drop_table('business_status_check')
