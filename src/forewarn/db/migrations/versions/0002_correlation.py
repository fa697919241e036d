"""correlation: silences, root cause, signal roles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 13:06:50.506457
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('silences',
    sa.Column('id', sa.String(length=20), nullable=False),
    sa.Column('tenant_id', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('asset_id', sa.String(length=20), nullable=True),
    sa.Column('tag', sa.String(length=100), nullable=True),
    sa.Column('starts_at', sa.Float(), nullable=False),
    sa.Column('ends_at', sa.Float(), nullable=False),
    sa.Column('recurrence', sa.String(length=10), nullable=False),
    sa.Column('until', sa.Float(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_silences_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_silences_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_silences'))
    )
    with op.batch_alter_table('silences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_silences_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('incident_signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='symptom'))
        batch_op.add_column(sa.Column('asset_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('first_seen', sa.Float(), nullable=True))

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('root_cause_asset_id', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('analysis', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.create_foreign_key(batch_op.f('fk_incidents_root_cause_asset_id_assets'), 'assets', ['root_cause_asset_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suppressed', sa.String(length=40), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_column('suppressed')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incidents_root_cause_asset_id_assets'), type_='foreignkey')
        batch_op.drop_column('analysis')
        batch_op.drop_column('root_cause_asset_id')

    with op.batch_alter_table('incident_signals', schema=None) as batch_op:
        batch_op.drop_column('first_seen')
        batch_op.drop_column('asset_id')
        batch_op.drop_column('role')

    with op.batch_alter_table('silences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_silences_tenant_id'))

    op.drop_table('silences')
