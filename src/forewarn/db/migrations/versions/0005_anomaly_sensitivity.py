"""anomaly sensitivity per tenant and per series

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-28 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anomaly_sensitivity",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.String(length=20), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["series.id"], name=op.f("fk_anomaly_sensitivity_series_id_series"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_anomaly_sensitivity_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anomaly_sensitivity")),
        sa.UniqueConstraint("tenant_id", "series_id", name=op.f("uq_anomaly_sensitivity_tenant_id")),
    )
    with op.batch_alter_table("anomaly_sensitivity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_anomaly_sensitivity_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("anomaly_sensitivity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anomaly_sensitivity_tenant_id"))
    op.drop_table("anomaly_sensitivity")
