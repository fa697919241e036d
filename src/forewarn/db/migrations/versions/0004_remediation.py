"""remediation: runbooks, runs, run steps and timeline, secrets, kill switches

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runbooks",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_runbooks_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runbooks")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_runbooks_tenant_id")),
    )
    with op.batch_alter_table("runbooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runbooks_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "runbook_runs",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("runbook_id", sa.String(length=20), nullable=True),
        sa.Column("runbook_name", sa.String(length=100), nullable=False),
        sa.Column("incident_id", sa.String(length=20), nullable=True),
        sa.Column("asset_id", sa.String(length=20), nullable=True),
        sa.Column("check_id", sa.String(length=20), nullable=True),
        sa.Column("fingerprint", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_runbook_runs_asset_id_assets"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_runbook_runs_incident_id_incidents"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["runbook_id"], ["runbooks.id"], name=op.f("fk_runbook_runs_runbook_id_runbooks"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_runbook_runs_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runbook_runs")),
    )
    with op.batch_alter_table("runbook_runs", schema=None) as batch_op:
        for column in ("tenant_id", "runbook_id", "incident_id", "asset_id", "status", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_runbook_runs_{column}"), [column], unique=False)

    op.create_table(
        "runbook_run_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("command", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("exit_status", sa.Integer(), nullable=True),
        sa.Column("stdout", sa.Text(), nullable=False),
        sa.Column("stderr", sa.Text(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runbook_runs.id"],
                                name=op.f("fk_runbook_run_steps_run_id_runbook_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runbook_run_steps")),
    )
    with op.batch_alter_table("runbook_run_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runbook_run_steps_run_id"), ["run_id"], unique=False)

    op.create_table(
        "runbook_run_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=20), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runbook_runs.id"],
                                name=op.f("fk_runbook_run_events_run_id_runbook_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runbook_run_events")),
    )
    with op.batch_alter_table("runbook_run_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_runbook_run_events_run_id"), ["run_id"], unique=False)

    op.create_table(
        "remediation_secrets",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_remediation_secrets_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remediation_secrets")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_remediation_secrets_tenant_id")),
    )
    with op.batch_alter_table("remediation_secrets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remediation_secrets_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "remediation_kill_switches",
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("engaged", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_remediation_kill_switches_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_remediation_kill_switches")),
    )


def downgrade() -> None:
    op.drop_table("remediation_kill_switches")
    with op.batch_alter_table("remediation_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remediation_secrets_tenant_id"))
    op.drop_table("remediation_secrets")
    with op.batch_alter_table("runbook_run_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runbook_run_events_run_id"))
    op.drop_table("runbook_run_events")
    with op.batch_alter_table("runbook_run_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runbook_run_steps_run_id"))
    op.drop_table("runbook_run_steps")
    with op.batch_alter_table("runbook_runs", schema=None) as batch_op:
        for column in ("created_at", "status", "asset_id", "incident_id", "runbook_id", "tenant_id"):
            batch_op.drop_index(batch_op.f(f"ix_runbook_runs_{column}"))
    op.drop_table("runbook_runs")
    with op.batch_alter_table("runbooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_runbooks_tenant_id"))
    op.drop_table("runbooks")
