"""Tables of the case store.

The workflow blob is the engine's truth; every other case table is a read model
rebuilt in the same transaction after each step, so lists, inboxes and timers
never need to deserialize a workflow.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary,
                        String, Text, UniqueConstraint)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC datetimes only")
        from datetime import timezone
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        from datetime import timezone
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class Definition(Base):
    __tablename__ = "definition"
    __table_args__ = (
        UniqueConstraint("process_key", "version", name="uq_definition_key_version"),
        UniqueConstraint("process_key", "content_hash", name="uq_definition_key_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256), default="")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    bundle: Mapped[dict] = mapped_column(JSON, deferred=True)   # {filename: bpmn xml}
    spec: Mapped[str] = mapped_column(Text, deferred=True)      # serialized spec + subprocess specs
    lib_version: Mapped[str] = mapped_column(String(32))
    deployed_by: Mapped[str] = mapped_column(String(64), default="")
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_case_status_updated", "status", "updated_at"),
        Index("ix_case_next_due", "next_due_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reg_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    query_code_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    process_key: Mapped[str] = mapped_column(String(128), index=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"), index=True)
    definition_version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(500), default="")
    channel: Mapped[str | None] = mapped_column(String(16), index=True)
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    region: Mapped[str | None] = mapped_column(String(16), index=True)
    petitioner: Mapped[str] = mapped_column(String(200), default="")   # masked display form
    accused_unit: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str | None] = mapped_column(String(32))
    content_class: Mapped[str | None] = mapped_column(String(32), index=True)
    purpose: Mapped[str | None] = mapped_column(String(16))
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    main_case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    facts: Mapped[dict | None] = mapped_column(JSON)      # small facts a feature's projector copies from the data
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error_message: Mapped[str | None] = mapped_column(Text)
    error_task: Mapped[str | None] = mapped_column(String(128))
    pending_action: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    state_format: Mapped[str] = mapped_column(String(16))
    lib_version: Mapped[str] = mapped_column(String(32))
    tree_depth: Mapped[int] = mapped_column(Integer, default=0)
    # {called process key: definition id} fixed when the case starts (engine/spec_cache.py); None: the
    # versions bundled with its definition (cases started before bindings existed)
    call_bindings: Mapped[dict | None] = mapped_column(JSON)
    metrics_digest: Mapped[str | None] = mapped_column(String(32))   # of the case_metrics row last written
    row_version: Mapped[int] = mapped_column(Integer, nullable=False)

    definition: Mapped[Definition] = relationship(lazy="select")   # only needed on a spec-cache miss
    __mapper_args__ = {"version_id_col": row_version}


class HumanTask(Base):
    __tablename__ = "human_task"
    __table_args__ = (
        # `unit` last: the inbox checks a unit's scope on the index entry (migration 0022)
        Index("ix_human_task_open_due_unit", "state", "due_at", "unit"),
        Index("ix_human_task_assignee", "assignee", "state", "due_at"),
        Index("ix_human_task_category_unit", "state", "category", "due_at", "unit"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    bpmn_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="bpmn", server_default="bpmn")  # or the feature that opened it
    name: Mapped[str] = mapped_column(String(256), default="")
    lane: Mapped[str | None] = mapped_column(String(128))
    groups: Mapped[str] = mapped_column(String(512), default="")   # comma-joined, for display
    assignee: Mapped[str | None] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(64))           # delegator, while delegated
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[int] = mapped_column(Integer, default=50)
    form_key: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(64))
    # denormalised case columns, so the inbox is one indexed table scan
    reg_no: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(500), default="")
    category: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    petitioner: Mapped[str] = mapped_column(String(200), default="")



class HumanTaskGroup(Base):
    """The candidate groups of a task offered to more than one group. A task of one group has none
    here: its `groups` column names it (one INSERT fewer per task; `offered_to` reads both)."""
    __tablename__ = "human_task_group"
    __table_args__ = (Index("ix_human_task_group_name", "group_name", "task_id"),)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(String(64), primary_key=True)


class Timer(Base):
    __tablename__ = "timer"
    __table_args__ = (
        Index("ix_timer_due", "status", "due_at"),
        UniqueConstraint("case_id", "task_uuid", "kind", name="uq_timer_case_task_kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="bpmn")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lock_owner: Mapped[str | None] = mapped_column(String(64))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseEvent(Base):
    """Append-only audit trail; nothing in the application updates or deletes these rows."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case", "case_id", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    bpmn_id: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict | None] = mapped_column(JSON)


class Unit(Base):
    """An organ the office sends work to; people read its name, never its code."""

    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default="government")
    short_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    parent_code: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())


class Group(Base):
    __tablename__ = "app_group"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(256))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Stored in the session cookie at sign-in; a bump (sign-out, new password, deactivation)
    # makes every older cookie of this user worthless.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    memberships: Mapped[list["UserGroup"]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def groups(self) -> list[str]:
        return sorted(m.group_name for m in self.memberships)


class UserGroup(Base):
    __tablename__ = "user_group"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    group_name: Mapped[str] = mapped_column(ForeignKey("app_group.name"), primary_key=True, index=True)
