"""Supervision: the lists a case goes on (the leader's list, 挂牌督办)

Revision ID: 0017_supervision
Revises: 0016_directory_query_codes

The escalation ladder (processes/escalation_ladders/) puts a case on the leader's list when a
step is 30 days overdue; the director's decision 挂牌督办 puts it on the office's list. Both are
rows of `supervision_listing` until lifted. The ladder's state lives in the existing `timer`
rows (kind "escalation"), so no other table changes.
"""
import sqlalchemy as sa
from alembic import op

from engine.store.models import UTCDateTime

revision = "0017_supervision"
down_revision = "0016_directory_query_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supervision_listing",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("list_name", sa.String(16), nullable=False),
        sa.Column("task_uuid", sa.String(36)),
        sa.Column("step_name", sa.String(256), nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("due_at", UTCDateTime()),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("listed_at", UTCDateTime(), nullable=False),
        sa.Column("listed_by", sa.String(64), nullable=False),
        sa.Column("lifted_at", UTCDateTime()),
        sa.Column("lifted_by", sa.String(64)),
    )
    op.create_index("ix_supervision_listing_case_id", "supervision_listing", ["case_id"])
    op.create_index("ix_supervision_listing_open", "supervision_listing", ["list_name", "lifted_at"])


def downgrade() -> None:
    op.drop_table("supervision_listing")
