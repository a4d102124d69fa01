"""queue: background jobs, change-log cursors and engine positions

Revision ID: 80cdf36685b6
Revises: d2d73615d4df
Create Date: 2026-12-01 21:15:48.703364

Job state lives in the database so every worker sees it and a killed job can be re-run;
the notifier's cursor and the engines' positions let the change log be pruned.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '80cdf36685b6'
down_revision = 'd2d73615d4df'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('engine_position',
    sa.Column('consumer', sa.String(length=120), nullable=False),
    sa.Column('last_change_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', name=op.f('pk_engine_position'))
    )
    with op.batch_alter_table('engine_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engine_position_seen_at'), ['seen_at'], unique=False)

    op.create_table('log_cursor',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_log_cursor'))
    )
    op.create_table('job',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['started_by_id'], ['user_account.id'], name=op.f('fk_job_started_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_started_by_id'), ['started_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status'))
        batch_op.drop_index(batch_op.f('ix_job_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_job_kind'))

    op.drop_table('job')
    op.drop_table('log_cursor')
    with op.batch_alter_table('engine_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engine_position_seen_at'))

    op.drop_table('engine_position')
