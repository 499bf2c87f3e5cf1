"""Supervision: the backlog (积案) listings and their 化解; joint meetings and their duties

Revision ID: 0022_backlog
Revises: 0021_supervision

The office or a higher level lists a case as 积案 (source 上级交办 or 本级排查, with the day);
the 化解 is recorded on the same row with its outcome. 积案化解率 counts these rows.
A 联席会议/协调会 on a case (`joint_meeting`) gives each named unit a duty (`joint_duty`), worked
as a task of kind "joint".
"""
import sqlalchemy as sa
from alembic import op

from engine.store.models import UTCDateTime

revision = "0022_backlog"
down_revision = "0021_supervision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backlog_listing",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("listed_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("listed_by", sa.String(64), nullable=False),
        sa.Column("listed_at", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("resolved_on", sa.Date),
        sa.Column("resolution_note", sa.Text),
        sa.Column("resolved_by", sa.String(64)),
        sa.Column("resolved_at", UTCDateTime()),
    )
    op.create_index("ix_backlog_listing_case", "backlog_listing", ["case_id", "resolved_at"])
    op.create_index("ix_backlog_listing_unit", "backlog_listing", ["unit"])

    op.create_table(
        "joint_meeting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("units", sa.Text, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_joint_meeting_case_id", "joint_meeting", ["case_id"])
    op.create_table(
        "joint_duty",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("joint_meeting.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("duty", sa.Text, nullable=False),
        sa.Column("task_uuid", sa.String(36), nullable=False),
        sa.Column("result", sa.Text),
        sa.Column("done_by", sa.String(64)),
        sa.Column("done_at", UTCDateTime()),
    )
    op.create_index("ix_joint_duty_meeting_id", "joint_duty", ["meeting_id"])
    op.create_index("ix_joint_duty_task_uuid", "joint_duty", ["task_uuid"])


def downgrade() -> None:
    op.drop_table("joint_duty")
    op.drop_table("joint_meeting")
    op.drop_index("ix_backlog_listing_unit", table_name="backlog_listing")
    op.drop_index("ix_backlog_listing_case", table_name="backlog_listing")
    op.drop_table("backlog_listing")
