"""Inbox: the unit is checked inside the index the first page walks

Revision ID: 0023_inbox_unit_index
Revises: 0022_backlog

Unit staff see only their unit's tasks, about 1 in 20 (1 in 200 within a category) along the
(state, category, due_at) index the first page walks in due-date order. The unit condition (a lead
unit or one of a comma-joined list) has LIKE patterns no index can seek, so every skipped entry
cost a lookup of its table row. With `unit` as the last column of the index the condition is
checked on the index entry and only the matching rows are read. The wider indexes replace the
narrower ones (same leading columns), so the planner has one choice and writes keep one index.
"""
from alembic import op

revision = "0023_inbox_unit_index"
down_revision = "0022_backlog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_human_task_category", table_name="human_task")
    op.drop_index("ix_human_task_open_due", table_name="human_task")
    op.create_index("ix_human_task_category_unit", "human_task", ["state", "category", "due_at", "unit"])
    op.create_index("ix_human_task_open_due_unit", "human_task", ["state", "due_at", "unit"])


def downgrade() -> None:
    op.drop_index("ix_human_task_open_due_unit", table_name="human_task")
    op.drop_index("ix_human_task_category_unit", table_name="human_task")
    op.create_index("ix_human_task_open_due", "human_task", ["state", "due_at"])
    op.create_index("ix_human_task_category", "human_task", ["state", "category", "due_at"])
