"""notify: channels, outbox, delivery log, change cursors

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("min_severity", sa.String(length=20), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("bucket_tokens", sa.Float(), nullable=True),
        sa.Column("bucket_at", sa.Float(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_notification_channels_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_channels")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_notification_channels_tenant_id")),
    )
    with op.batch_alter_table("notification_channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_channels_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "notify_outbox",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=20), nullable=True),
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.Float(), nullable=True),
        sa.Column("claim_token", sa.String(length=20), nullable=True),
        sa.Column("message_key", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.Float(), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["notification_channels.id"],
                                name=op.f("fk_notify_outbox_channel_id_notification_channels"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_notify_outbox_incident_id_incidents"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_notify_outbox_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notify_outbox_idempotency_key")),
    )
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_outbox_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_outbox_message_key"), ["message_key"], unique=False)

    op.create_table(
        "notify_delivery_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("channel_id", sa.String(length=20), nullable=True),
        sa.Column("channel_name", sa.String(length=100), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("ts", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("message_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["notify_outbox.id"],
                                name=op.f("fk_notify_delivery_log_outbox_id_notify_outbox"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_delivery_log")),
    )
    with op.batch_alter_table("notify_delivery_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notify_delivery_log_outbox_id"), ["outbox_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notify_delivery_log_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "notify_cursors",
        sa.Column("incident_id", sa.String(length=20), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_notify_cursors_incident_id_incidents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_notify_cursors")),
    )


def downgrade() -> None:
    op.drop_table("notify_cursors")
    with op.batch_alter_table("notify_delivery_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notify_delivery_log_incident_id"))
        batch_op.drop_index(batch_op.f("ix_notify_delivery_log_outbox_id"))
    op.drop_table("notify_delivery_log")
    with op.batch_alter_table("notify_outbox", schema=None) as batch_op:
        for column in ("message_key", "due_at", "status", "incident_id", "channel_id", "tenant_id"):
            batch_op.drop_index(batch_op.f(f"ix_notify_outbox_{column}"))
    op.drop_table("notify_outbox")
    with op.batch_alter_table("notification_channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_channels_tenant_id"))
    op.drop_table("notification_channels")
