"""escalation: on-call rotas, overrides, escalation policies, incident escalations; users.email

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-29 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref_table}"),
                                   ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))

    op.create_table(
        "oncall_rotas",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rotation", sa.String(length=10), nullable=False),
        sa.Column("shift_hours", sa.Integer(), nullable=False),
        sa.Column("handoff", sa.String(length=5), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        _fk("oncall_rotas", "tenant_id", "tenants.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_rotas")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_oncall_rotas_tenant_id")),
    )
    with op.batch_alter_table("oncall_rotas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oncall_rotas_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oncall_overrides",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("rota_id", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=20), nullable=False),
        sa.Column("starts_at", sa.Float(), nullable=False),
        sa.Column("ends_at", sa.Float(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        _fk("oncall_overrides", "rota_id", "oncall_rotas.id", "CASCADE"),
        _fk("oncall_overrides", "user_id", "users.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oncall_overrides")),
    )
    with op.batch_alter_table("oncall_overrides", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oncall_overrides_rota_id"), ["rota_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_oncall_overrides_ends_at"), ["ends_at"], unique=False)

    op.create_table(
        "escalation_policies",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("severities", sa.JSON(), nullable=False),
        sa.Column("priorities", sa.JSON(), nullable=False),
        sa.Column("repeat", sa.Integer(), nullable=False),
        sa.Column("email_channel_id", sa.String(length=20), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        _fk("escalation_policies", "tenant_id", "tenants.id", "CASCADE"),
        _fk("escalation_policies", "email_channel_id", "notification_channels.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policies")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_escalation_policies_tenant_id")),
    )
    with op.batch_alter_table("escalation_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_policies_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "incident_escalations",
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("policy_id", sa.String(length=20), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.Column("end_reason", sa.String(length=500), nullable=False),
        _fk("incident_escalations", "incident_id", "incidents.id", "CASCADE"),
        _fk("incident_escalations", "tenant_id", "tenants.id", "CASCADE"),
        _fk("incident_escalations", "policy_id", "escalation_policies.id", "SET NULL"),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_escalations")),
    )
    with op.batch_alter_table("incident_escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_escalations_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_escalations_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_escalations_next_at"), ["next_at"], unique=False)


def downgrade() -> None:
    op.drop_table("incident_escalations")
    op.drop_table("escalation_policies")
    op.drop_table("oncall_overrides")
    op.drop_table("oncall_rotas")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")
