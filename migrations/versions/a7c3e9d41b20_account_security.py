"""account security: pending registrations, account-exists notices, login throttle

Revision ID: a7c3e9d41b20
Revises: 7c3d9e1f4a6b
Create Date: 2026-12-01 22:40:00.000000

Sign-ups wait in `pending_registration` (the e-mailed link carries only its id and a nonce);
`account_exists_notice` limits "this address already has an account" mails to one an hour;
`login_throttle` counts failed sign-ins per submitted address (known or not) and its lockout.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d41b20'
down_revision = '7c3d9e1f4a6b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('password_hash', sa.String(length=256), nullable=False),
        sa.Column('phone', sa.String(length=30), nullable=True),
        sa.Column('department', sa.String(length=100), nullable=True),
        sa.Column('municipality_id', sa.Integer(), nullable=True),
        sa.Column('invitation_token', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'],
                                name=op.f('fk_pending_registration_municipality_id_municipality'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registration')),
    )
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registration_email'), ['email'], unique=False)
    op.create_table(
        'account_exists_notice',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('email', name=op.f('pk_account_exists_notice')),
    )
    op.create_table(
        'login_throttle',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('failed_count', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('email', name=op.f('pk_login_throttle')),
    )


def downgrade():
    op.drop_table('login_throttle')
    op.drop_table('account_exists_notice')
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registration_email'))
    op.drop_table('pending_registration')
