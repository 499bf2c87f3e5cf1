"""cases.metrics_digest: a step skips rewriting its case_metrics row when nothing in it changed

Revision ID: 0013_metrics_digest
Revises: 0006_kpi
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_metrics_digest"
down_revision = "0006_kpi"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("metrics_digest", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("metrics_digest")
