"""Deputies, liaison stations, deputies' referrals (代表转交) and cases proposed as 代表建议/议案 material.

Revision ID: 0019_deputies
Revises: 0018_online_petitions
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0019_deputies"
down_revision = "0018_online_petitions"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "deputy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("delegation", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "liaison_station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "liaison_station_deputy",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["liaison_station.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputy.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "deputy_id"),
    )
    op.create_table(
        "deputy_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("referred_at", UTC(timezone=True), nullable=False),
        sa.Column("feedback_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputy.id"]),
        sa.ForeignKeyConstraint(["station_id"], ["liaison_station.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_index("ix_deputy_referral_deputy_id", "deputy_referral", ["deputy_id"])
    op.create_index("ix_deputy_referral_station_id", "deputy_referral", ["station_id"])
    op.create_table(
        "deputy_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("lodged_at", UTC(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=4000), nullable=True),
        sa.Column("answered_at", UTC(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputy.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "deputy_proposal_case",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["deputy_proposal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("proposal_id", "case_id"),
    )


    op.create_table(
        "deputy_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "deputy_meeting_deputy",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["deputy_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputy.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "deputy_id"),
    )
    op.create_table(
        "deputy_meeting_case",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["deputy_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "case_id"),
    )
    op.create_table(
        "deputy_meeting_opinion",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["deputy_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["deputy_id"], ["deputy.id"]),
        sa.PrimaryKeyConstraint("meeting_id", "case_id", "deputy_id"),
    )
    op.create_table(
        "deputy_meeting_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("due_at", UTC(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["deputy_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deputy_meeting_follow_up_meeting_id", "deputy_meeting_follow_up", ["meeting_id"])
    op.create_index("ix_deputy_meeting_follow_up_unit", "deputy_meeting_follow_up", ["unit"])


def downgrade() -> None:
    op.drop_index("ix_deputy_meeting_follow_up_unit", table_name="deputy_meeting_follow_up")
    op.drop_index("ix_deputy_meeting_follow_up_meeting_id", table_name="deputy_meeting_follow_up")
    for table in ("deputy_meeting_follow_up", "deputy_meeting_opinion", "deputy_meeting_case",
                  "deputy_meeting_deputy", "deputy_meeting"):
        op.drop_table(table)
    op.drop_table("deputy_proposal_case")
    op.drop_table("deputy_proposal")
    op.drop_index("ix_deputy_referral_station_id", table_name="deputy_referral")
    op.drop_index("ix_deputy_referral_deputy_id", table_name="deputy_referral")
    op.drop_table("deputy_referral")
    op.drop_table("liaison_station_deputy")
    op.drop_table("liaison_station")
    op.drop_table("deputy")
