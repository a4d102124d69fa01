"""overseas organisations (K-City Network), their invitations, needs and officials

Revision ID: c8f2d6a1e9b3
Revises: b1e5a0c7d3f4
Create Date: 2026-12-03 15:40:00

`need.municipality_id` becomes nullable and `need.overseas_organisation_id` is added, with a CHECK
that exactly one is set; `user_account.overseas_organisation_id` names the foreign official's
organisation and the official CHECK accepts it instead of a municipality.

On SQLite the nullable change and the CHECKs need a batch copy of `need` and `user_account`. A copy
drops the partial indexes that reflection cannot see (ix_need_active_status_created,
ix_need_active_municipality): they are dropped before the copy and recreated explicitly after it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8f2d6a1e9b3'
down_revision = 'b1e5a0c7d3f4'
branch_labels = None
depends_on = None


ACTIVE_NEED = "moderation_status = 'active'"
ONE_OWNER = "(municipality_id IS NULL) <> (overseas_organisation_id IS NULL)"
OFFICIAL_OLD = "role != 'municipality' OR municipality_id IS NOT NULL"
OFFICIAL_NEW = ("role != 'municipality' OR municipality_id IS NOT NULL "
                "OR overseas_organisation_id IS NOT NULL")

NEED_CHECKS = {
    'budget_min_non_negative': "budget_min IS NULL OR budget_min >= 0",
    'budget_max_non_negative': "budget_max IS NULL OR budget_max >= 0",
    'budget_range_ordered': "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max",
    'target_population_non_negative': "target_population IS NULL OR target_population >= 0",
    'language_known': "language IN ('ko', 'en')",
}
NEED_PARTIAL_INDEXES = {
    'ix_need_active_status_created': ['status', 'created_at', 'id'],
    'ix_need_active_municipality': ['municipality_id', 'created_by_id', 'status'],
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _drop_partial_indexes():
    for name in NEED_PARTIAL_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _create_partial_indexes():
    for name, columns in NEED_PARTIAL_INDEXES.items():
        op.create_index(name, 'need', columns, unique=False,
                        sqlite_where=sa.text(ACTIVE_NEED), postgresql_where=sa.text(ACTIVE_NEED))


def upgrade():
    op.create_table(
        'overseas_organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('name_ko', sa.String(length=120), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('city', sa.String(length=80), nullable=True),
        sa.Column('kind', sa.Enum('city_government', 'agency', 'development_bank',
                                  name='overseas_organisation_kind', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('length(country) = 2 AND upper(country) = country',
                           name=op.f('ck_overseas_organisation_country_alpha2')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_overseas_organisation_created_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overseas_organisation')),
        sa.UniqueConstraint('name', name=op.f('uq_overseas_organisation_name')),
    )
    op.create_index(op.f('ix_overseas_organisation_country'), 'overseas_organisation',
                    ['country'], unique=False)
    op.create_table(
        'overseas_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'],
                                name=op.f('fk_overseas_invitation_accepted_by_id_user_account')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'],
                                name=op.f('fk_overseas_invitation_invited_by_id_user_account')),
        sa.ForeignKeyConstraint(['organisation_id'], ['overseas_organisation.id'],
                                name=op.f('fk_overseas_invitation_organisation_id_overseas_organisation'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overseas_invitation')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_overseas_invitation_token_hash')),
    )
    op.create_index(op.f('ix_overseas_invitation_organisation_id'), 'overseas_invitation',
                    ['organisation_id'], unique=False)

    sqlite = _sqlite()
    if sqlite:
        _drop_partial_indexes()
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overseas_organisation_id', sa.Integer(), nullable=True))
        batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_need_overseas_organisation_id'),
                              ['overseas_organisation_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_need_overseas_organisation_id_overseas_organisation'),
            'overseas_organisation', ['overseas_organisation_id'], ['id'])
        batch_op.create_check_constraint('one_owner', ONE_OWNER)
    if sqlite:
        _create_partial_indexes()

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overseas_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_account_overseas_organisation_id'),
                              ['overseas_organisation_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_user_account_overseas_organisation_id_overseas_organisation'),
            'overseas_organisation', ['overseas_organisation_id'], ['id'])
        batch_op.drop_constraint('official_has_municipality', type_='check')
        batch_op.create_check_constraint('official_has_municipality', OFFICIAL_NEW)


def downgrade():
    sqlite = _sqlite()
    op.execute("DELETE FROM need WHERE municipality_id IS NULL")
    op.execute("UPDATE user_account SET role = 'company', overseas_organisation_id = NULL "
               "WHERE overseas_organisation_id IS NOT NULL AND municipality_id IS NULL")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('official_has_municipality', type_='check')
        batch_op.create_check_constraint('official_has_municipality', OFFICIAL_OLD)
        batch_op.drop_constraint(
            batch_op.f('fk_user_account_overseas_organisation_id_overseas_organisation'),
            type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_overseas_organisation_id'))
        batch_op.drop_column('overseas_organisation_id')

    if sqlite:
        _drop_partial_indexes()
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_constraint('one_owner', type_='check')
        if sqlite:
            # The copy made `language`'s CHECK a table constraint, which would stop the previous
            # revision's plain DROP COLUMN: put the column back as that revision created it
            # (the overseas needs, the English ones, are gone by now).
            batch_op.drop_constraint('language_known', type_='check')
            batch_op.drop_column('language')
        batch_op.drop_constraint(
            batch_op.f('fk_need_overseas_organisation_id_overseas_organisation'),
            type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_need_overseas_organisation_id'))
        batch_op.alter_column('municipality_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('overseas_organisation_id')
    if sqlite:
        op.execute("ALTER TABLE need ADD COLUMN language VARCHAR(2) DEFAULT 'ko' NOT NULL "
                   f"CONSTRAINT ck_need_language_known CHECK ({NEED_CHECKS['language_known']})")
        _create_partial_indexes()

    op.drop_index(op.f('ix_overseas_invitation_organisation_id'), table_name='overseas_invitation')
    op.drop_table('overseas_invitation')
    op.drop_index(op.f('ix_overseas_organisation_country'), table_name='overseas_organisation')
    op.drop_table('overseas_organisation')
