"""privacy: consent records, the consent version of a pending sign-up, deleted accounts

Revision ID: b4d8f2a61c3e
Revises: b4e8f2a61c39
Create Date: 2026-12-02 00:30:00.000000

`privacy_consent` records which version of the consent notice (app/services/privacy.py) each
user accepted and when; `pending_registration.consent_version` carries it from the sign-up
form to the confirmed account; `user_account.deleted_at` marks an account its owner deleted
(the row stays, anonymised, as the author of the organisation's records).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4d8f2a61c3e'
down_revision = 'b4e8f2a61c39'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_version', sa.String(length=20), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_privacy_consent_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_consent')),
    )
    with op.batch_alter_table('privacy_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_consent_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_version', sa.String(length=20), nullable=True))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
    with op.batch_alter_table('pending_registration', schema=None) as batch_op:
        batch_op.drop_column('consent_version')
    with op.batch_alter_table('privacy_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_consent_user_id'))
    op.drop_table('privacy_consent')
