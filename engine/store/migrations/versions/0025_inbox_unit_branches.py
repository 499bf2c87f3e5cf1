"""Inbox: a unit's tasks found by equality on the unit

Revision ID: 0025_inbox_unit_branches
Revises: 0024_meeting_followups

Unit staff's inbox on PostgreSQL walked the (state, category, due_at, unit) index and fetched each
row to test the unit condition (a unit or one of a comma-joined list, an OR of LIKEs), about 6,800
rows for 97 at a million cases: 32 ms at p95. The page now asks two disjoint parts, each from an
index of its own and each stopping at the page's end: the unit's own rows by equality (with or
without a category), and the rare rows of several units from a partial index
(office/inbox/service.py, `unit_branches`). The partial index leads with (state, category) so that
SQLite, which keeps no statistics for so few rows, still prefers it to the category index.
"""
from alembic import op
import sqlalchemy as sa

revision = "0025_inbox_unit_branches"
down_revision = "0024_meeting_followups"
branch_labels = None
depends_on = None

MULTI_UNIT = "unit LIKE '%,%'"


def upgrade() -> None:
    op.create_index("ix_human_task_unit_category", "human_task", ["state", "unit", "category", "due_at"])
    op.create_index("ix_human_task_unit_due", "human_task", ["state", "unit", "due_at"])
    op.create_index("ix_human_task_multi_unit", "human_task", ["state", "category", "due_at"],
                    sqlite_where=sa.text(MULTI_UNIT), postgresql_where=sa.text(MULTI_UNIT))


def downgrade() -> None:
    op.drop_index("ix_human_task_multi_unit", table_name="human_task")
    op.drop_index("ix_human_task_unit_due", table_name="human_task")
    op.drop_index("ix_human_task_unit_category", table_name="human_task")
