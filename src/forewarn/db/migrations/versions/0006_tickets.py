"""tickets: priorities, links, merges, SLA policies, timers and breaches

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-29 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.String(length=2), nullable=False, server_default="P4"))
        batch_op.add_column(sa.Column("priority_overridden", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("impact", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("merged_into_id", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_incidents_merged_into_id_incidents"), "incidents",
                                    ["merged_into_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index(batch_op.f("ix_incidents_priority"), ["priority"], unique=False)

    op.create_table(
        "incident_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("other_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _fk("incident_links", "incident_id", "incidents"),
        _fk("incident_links", "other_id", "incidents"),
        _fk("incident_links", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_links")),
        sa.UniqueConstraint("incident_id", "other_id", "kind", name=op.f("uq_incident_links_incident_id")),
    )
    with op.batch_alter_table("incident_links", schema=None) as batch_op:
        for column in ("tenant_id", "incident_id", "other_id"):
            batch_op.create_index(batch_op.f(f"ix_incident_links_{column}"), [column], unique=False)

    op.create_table(
        "incident_sla",
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("response_minutes", sa.Float(), nullable=False),
        sa.Column("resolution_minutes", sa.Float(), nullable=False),
        sa.Column("response_due_at", sa.Float(), nullable=False),
        sa.Column("resolution_due_at", sa.Float(), nullable=False),
        sa.Column("response_warn_at", sa.Float(), nullable=False),
        sa.Column("resolution_warn_at", sa.Float(), nullable=False),
        sa.Column("response_warned", sa.Boolean(), nullable=False),
        sa.Column("resolution_warned", sa.Boolean(), nullable=False),
        sa.Column("response_breached", sa.Boolean(), nullable=False),
        sa.Column("resolution_breached", sa.Boolean(), nullable=False),
        sa.Column("policy_updated_at", sa.Float(), nullable=False),
        _fk("incident_sla", "incident_id", "incidents"),
        _fk("incident_sla", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_sla")),
    )
    with op.batch_alter_table("incident_sla", schema=None) as batch_op:
        for column in ("tenant_id", "response_due_at", "resolution_due_at"):
            batch_op.create_index(batch_op.f(f"ix_incident_sla_{column}"), [column], unique=False)

    op.create_table(
        "sla_breaches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("target_minutes", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        _fk("sla_breaches", "incident_id", "incidents"),
        _fk("sla_breaches", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_breaches")),
        sa.UniqueConstraint("incident_id", "kind", name=op.f("uq_sla_breaches_incident_id")),
    )
    with op.batch_alter_table("sla_breaches", schema=None) as batch_op:
        for column in ("tenant_id", "incident_id"):
            batch_op.create_index(batch_op.f(f"ix_sla_breaches_{column}"), [column], unique=False)

    op.create_table(
        "tenant_sla",
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        _fk("tenant_sla", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_sla")),
    )


def downgrade() -> None:
    op.drop_table("tenant_sla")
    op.drop_table("sla_breaches")
    op.drop_table("incident_sla")
    op.drop_table("incident_links")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_priority"))
        batch_op.drop_constraint(batch_op.f("fk_incidents_merged_into_id_incidents"), type_="foreignkey")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("impact")
        batch_op.drop_column("priority_overridden")
        batch_op.drop_column("priority")
