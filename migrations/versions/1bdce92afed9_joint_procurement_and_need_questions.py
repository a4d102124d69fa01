"""joint_group, joint_member, need_question: joint procurement and public Q&A on needs

Revision ID: 1bdce92afed9
Revises: c3a9e5d17b42
Create Date: 2026-12-02 12:43:09.532535

A joint procurement group is led by the municipality whose need started it; every other need is
invited (pending, accepted or declined). The partial unique index keeps a need in at most one
group at a time (a declined invitation frees it). A question on a need is answered at most once
(the CHECK keeps answer, answered_at and answered_by together).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1bdce92afed9'
down_revision = 'c3a9e5d17b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('joint_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_municipality_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_joint_group_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_municipality_id'], ['municipality.id'], name=op.f('fk_joint_group_lead_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_group'))
    )
    with op.batch_alter_table('joint_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_group_lead_municipality_id'), ['lead_municipality_id'], unique=False)

    op.create_table('joint_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='joint_invitation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(responded_at IS NULL) = (status = 'pending')", name=op.f('ck_joint_member_responded_when_answered')),
    sa.CheckConstraint("NOT is_lead OR status = 'accepted'", name=op.f('ck_joint_member_lead_accepted')),
    sa.ForeignKeyConstraint(['group_id'], ['joint_group.id'], name=op.f('fk_joint_member_group_id_joint_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_joint_member_invited_by_id_user_account')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_joint_member_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_joint_member_need_id_need'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responded_by_id'], ['user_account.id'], name=op.f('fk_joint_member_responded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_member')),
    sa.UniqueConstraint('group_id', 'need_id', name=op.f('uq_joint_member_group_id_need_id'))
    )
    with op.batch_alter_table('joint_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_member_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_joint_member_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('uq_joint_member_active_need', ['need_id'], unique=True, sqlite_where=sa.text("status IN ('pending', 'accepted')"), postgresql_where=sa.text("status IN ('pending', 'accepted')"))

    op.create_table('need_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.String(length=2000), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('(answer IS NULL AND answered_at IS NULL AND answered_by_id IS NULL) OR (answer IS NOT NULL AND answered_at IS NOT NULL)', name=op.f('ck_need_question_answered_together')),
    sa.CheckConstraint('hidden_at IS NULL OR hidden', name=op.f('ck_need_question_hidden_when_dated')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_need_question_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user_account.id'], name=op.f('fk_need_question_asked_by_id_user_account')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_need_question_company_id_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'], name=op.f('fk_need_question_hidden_by_id_user_account')),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_need_question_need_id_need'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_question'))
    )
    with op.batch_alter_table('need_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_question_asked_by_id'), ['asked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_need_question_need_id'), ['need_id'], unique=False)



def downgrade():
    with op.batch_alter_table('need_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_question_need_id'))
        batch_op.drop_index(batch_op.f('ix_need_question_asked_by_id'))

    op.drop_table('need_question')
    with op.batch_alter_table('joint_member', schema=None) as batch_op:
        batch_op.drop_index('uq_joint_member_active_need', sqlite_where=sa.text("status IN ('pending', 'accepted')"), postgresql_where=sa.text("status IN ('pending', 'accepted')"))
        batch_op.drop_index(batch_op.f('ix_joint_member_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_joint_member_group_id'))

    op.drop_table('joint_member')
    with op.batch_alter_table('joint_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_group_lead_municipality_id'))

    op.drop_table('joint_group')
