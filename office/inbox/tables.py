"""The inbox's saved filters, and the indexes its queries need on the core's read tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, Case, HumanTask, UTCDateTime

MULTI_GROUP = "groups LIKE '%,%'"
MULTI_UNIT = "unit LIKE '%,%'"

# Inbox indexes on the engine's read tables (office/inbox/pages.py builds the queries they answer):
# unassigned single-group tasks are counted from an index on the denormalised `groups` column;
# the rare multi-group tasks have a partial index of their own; the accused-unit exclusion is indexed.
Index("ix_human_task_inbox_groups", HumanTask.state, HumanTask.category, HumanTask.groups, HumanTask.assignee)
Index("ix_human_task_inbox_nocat", HumanTask.state, HumanTask.groups, HumanTask.assignee, HumanTask.due_at)
Index("ix_human_task_multi_group", HumanTask.state, HumanTask.category, HumanTask.due_at,
      sqlite_where=text(MULTI_GROUP), postgresql_where=text(MULTI_GROUP))
Index("ix_cases_accused_unit", Case.accused_unit)
# A unit's inbox (migration 0025): its own rows by equality, in due order with or without a category;
# rows of several units (a comma-joined list, rare) from a partial index.
Index("ix_human_task_unit_category", HumanTask.state, HumanTask.unit, HumanTask.category, HumanTask.due_at)
Index("ix_human_task_unit_due", HumanTask.state, HumanTask.unit, HumanTask.due_at)
Index("ix_human_task_multi_unit", HumanTask.state, HumanTask.category, HumanTask.due_at,
      sqlite_where=text(MULTI_UNIT), postgresql_where=text(MULTI_UNIT))


class SavedFilter(Base):
    """An inbox query kept on the server; `group_name` shares it with a group.
    Query values "me" and "now" are placeholders resolved when the filter runs."""

    __tablename__ = "saved_filter"
    __table_args__ = (Index("ix_saved_filter_owner", "owner"), Index("ix_saved_filter_group", "group_name"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner: Mapped[str] = mapped_column(String(64))
    group_name: Mapped[str | None] = mapped_column(String(64))
    query: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
