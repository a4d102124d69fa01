"""official verification evidence and municipalities' official e-mail domains

Revision ID: b4e8f2a61c39
Revises: b5d8f2a61c3e
Create Date: 2026-12-02 00:40:00.000000

`official_evidence` keeps what an official offers for verification: the sign-up address confirmed
by the e-mailed link or an uploaded PDF/image.
`municipality.email_domains` lists a government's official domains (empty: the setting's default).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b4e8f2a61c39'
down_revision = 'b5d8f2a61c3e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_domains', sa.String(length=300), nullable=True))
    op.create_table(
        'official_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('email', 'document', name='evidence_kind', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('content_type', sa.String(length=50), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_official_evidence_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_official_evidence')),
    )
    with op.batch_alter_table('official_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_evidence_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('official_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_evidence_user_id'))
    op.drop_table('official_evidence')
    with op.batch_alter_table('municipality', schema=None) as batch_op:
        batch_op.drop_column('email_domains')
