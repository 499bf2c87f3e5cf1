"""Tables behind the staff web app and the API: saved filters, comments, attachments,
API tokens, throttled attempts (sign-in, self-service lookups) and background jobs.

None of these is part of a case's workflow state; they may be changed without a step.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Case, HumanTask, UTCDateTime

MULTI_GROUP = "groups LIKE '%,%'"

# Inbox indexes on the engine's read tables (engine/inbox_services.py explains the query shapes):
# unassigned single-group tasks are counted from an index on the denormalised `groups` column;
# the rare multi-group tasks have a partial index of their own; the accused-unit exclusion is indexed.
Index("ix_human_task_inbox_groups", HumanTask.state, HumanTask.category, HumanTask.groups, HumanTask.assignee)
Index("ix_human_task_inbox_nocat", HumanTask.state, HumanTask.groups, HumanTask.assignee, HumanTask.due_at)
Index("ix_human_task_multi_group", HumanTask.state, HumanTask.category, HumanTask.due_at,
      sqlite_where=text(MULTI_GROUP), postgresql_where=text(MULTI_GROUP))
Index("ix_cases_accused_unit", Case.accused_unit)


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


class CaseComment(Base):
    __tablename__ = "case_comment"
    __table_args__ = (Index("ix_case_comment_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Attachment(Base):
    """`stored_name` is generated; the client's file name is kept for display only."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; the token itself is shown once."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class ThrottleHit(Base):
    """One row per counted attempt (failed sign-in, self-service lookup), per key, for rate limits
    that hold across worker processes."""

    __tablename__ = "throttle_hit"
    __table_args__ = (Index("ix_throttle_hit_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Job(Base):
    """A long operation (export, import) whose progress the browser polls."""

    __tablename__ = "web_job"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))          # running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result_name: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

