"""optimistic locking versions; the transactional e-mail outbox

Revision ID: 5e1f0c2a9b7d
Revises: 80cdf36685b6
Create Date: 2026-12-01 21:20:00.000000

Every company, solution, need, match and consortium proposal gets a `version` counter that each
UPDATE checks and bumps (SQLAlchemy `version_id_col`); existing rows start at 1. A partial unique
index keeps one active consortium proposal per need and lead firm. E-mail is written to
`outgoing_email` in the transaction that causes it and delivered after commit.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0c2a9b7d'
down_revision = '80cdf36685b6'
branch_labels = None
depends_on = None

VERSIONED_TABLES = ('company', 'solution', 'need', 'need_match', 'consortium_proposal')
ACTIVE_PROPOSAL = "status IN ('awaiting_partners', 'submitted', 'mutual', 'approved')"


def upgrade():
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                          nullable=False))
    with op.batch_alter_table('consortium_proposal', schema=None) as batch_op:
        batch_op.create_index('uq_consortium_proposal_active_lead', ['need_id', 'lead_company_id'],
                              unique=True, postgresql_where=sa.text(ACTIVE_PROPOSAL),
                              sqlite_where=sa.text(ACTIVE_PROPOSAL))
    op.create_table(
        'outgoing_email',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', name='email_status',
                                    native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_email')),
    )
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_email_status_due', ['status', 'next_attempt_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outgoing_email', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_email_status_due')
    op.drop_table('outgoing_email')
    with op.batch_alter_table('consortium_proposal', schema=None) as batch_op:
        batch_op.drop_index('uq_consortium_proposal_active_lead')
    for table in reversed(VERSIONED_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
