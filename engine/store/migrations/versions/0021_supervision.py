"""Supervision: the lists a case goes on (the leader's list, 挂牌督办) and the supervision ledger

Revision ID: 0021_supervision
Revises: 0020_call_bindings

The escalation ladder (processes/escalation_ladders/) puts a case on the leader's list when a
step is 30 days overdue; the director's decision 挂牌督办 puts it on the office's list. Both are
rows of `supervision_listing` until lifted. The ladder's state lives in the existing `timer`
rows (kind "escalation"). The office's own chasing acts (书函催办, 电话询办, 约谈, 通报, 挂牌督办,
共同接办) and its meetings (交办督办会, 调度会) are rows of `supervision_entry`, a meeting's
of `supervision_meeting`. 领导包案 is `key_case` (a named leader per case) and the leaders' 批示
with the units' answers `leader_instruction`.
"""
import sqlalchemy as sa
from alembic import op

from engine.store.models import UTCDateTime

revision = "0021_supervision"
down_revision = "0020_call_bindings"
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
    op.create_table(
        "supervision_meeting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "supervision_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("acted_on", sa.Date, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("supervision_meeting.id", ondelete="SET NULL")),
        sa.Column("document_id", sa.Integer),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_supervision_entry_case_id", "supervision_entry", ["case_id"])
    op.create_index("ix_supervision_entry_unit", "supervision_entry", ["unit"])
    op.create_index("ix_supervision_entry_acted", "supervision_entry", ["acted_on", "id"])
    op.create_table(
        "key_case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("leader", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime()),
    )
    op.create_index("ix_key_case_case_id", "key_case", ["case_id"])
    op.create_index("ix_key_case_leader", "key_case", ["leader"])
    op.create_table(
        "leader_instruction",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("leader", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("unit", sa.String(64)),
        sa.Column("task_uuid", sa.String(36)),
        sa.Column("answer", sa.Text),
        sa.Column("answered_by", sa.String(64)),
        sa.Column("answered_at", UTCDateTime()),
    )
    op.create_index("ix_leader_instruction_case_id", "leader_instruction", ["case_id"])
    op.create_index("ix_leader_instruction_task_uuid", "leader_instruction", ["task_uuid"])


def downgrade() -> None:
    op.drop_table("leader_instruction")
    op.drop_table("key_case")
    op.drop_table("supervision_entry")
    op.drop_table("supervision_meeting")
    op.drop_table("supervision_listing")
