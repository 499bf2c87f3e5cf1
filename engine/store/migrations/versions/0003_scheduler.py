"""timer service: notifications (with outbox delivery state) and scheduler heartbeats

Revision ID: 0003_scheduler
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0003_scheduler"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("task_uuid", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("recipient_user", sa.String(length=64), nullable=True),
        sa.Column("recipient_group", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("read_at", UTC(timezone=True), nullable=True),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("sent_at", UTC(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notification_case_id", "notification", ["case_id"])
    op.create_index("ix_notification_user", "notification", ["recipient_user", "read_at"])
    op.create_index("ix_notification_group", "notification", ["recipient_group", "read_at"])
    op.create_index("ix_notification_delivery", "notification", ["delivery", "id"])
    op.create_table(
        "scheduler_heartbeat",
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.Column("last_tick_at", UTC(timezone=True), nullable=False),
        sa.Column("stopped_at", UTC(timezone=True), nullable=True),
        sa.Column("ticks", sa.Integer(), nullable=False),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("last_fired", sa.Integer(), nullable=False),
        sa.Column("last_tick_ms", sa.Float(), nullable=False),
        sa.Column("backlog", sa.Integer(), nullable=False),
        sa.Column("lateness_count", sa.Integer(), nullable=False),
        sa.Column("lateness_sum", sa.Float(), nullable=False),
        sa.Column("lateness_max", sa.Float(), nullable=False),
        sa.Column("lateness_buckets", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("worker"),
    )
    op.create_index("ix_scheduler_heartbeat_last_tick_at", "scheduler_heartbeat", ["last_tick_at"])


def downgrade() -> None:
    op.drop_index("ix_scheduler_heartbeat_last_tick_at", table_name="scheduler_heartbeat")
    op.drop_table("scheduler_heartbeat")
    for name in ("ix_notification_delivery", "ix_notification_group", "ix_notification_user",
                 "ix_notification_case_id"):
        op.drop_index(name, table_name="notification")
    op.drop_table("notification")
