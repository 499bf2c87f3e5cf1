"""Notifications: in-app messages, and the outbox of the external notifier."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class Notification(Base):
    """A message to a user or a group. `delivery` makes the table the outbox of the external
    port: rows are written in the transaction that decided to notify, and pushed out after it
    commits (pending -> sent | failed), so a rolled-back step never sends anything."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user", "recipient_user", "read_at"),
        Index("ix_notification_group", "recipient_group", "read_at"),
        Index("ix_notification_delivery", "delivery", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))            # reminder | escalation | leader
    recipient_user: Mapped[str | None] = mapped_column(String(64))
    recipient_group: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivery: Mapped[str] = mapped_column(String(16), default="pending")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class SupervisionListing(Base):
    """A case on one of supervision's lists until lifted: the leader's list (the ladder's last rung,
    30 days overdue) or 挂牌督办 (the director's decision, shown to the whole office)."""

    __tablename__ = "supervision_listing"
    __table_args__ = (Index("ix_supervision_listing_open", "list_name", "lifted_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    list_name: Mapped[str] = mapped_column(String(16))          # leader | hanging
    task_uuid: Mapped[str | None] = mapped_column(String(36))   # the overdue step that put it there
    step_name: Mapped[str] = mapped_column(String(256), default="")
    unit: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    listed_by: Mapped[str] = mapped_column(String(64))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(64))


class SupervisionMeeting(Base):
    """A 交办督办会 or 调度会: when, what it was about, and (in its entries) each case's decision."""

    __tablename__ = "supervision_meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupervisionEntry(Base):
    """One row of the supervision ledger (督办台账): a chasing act on a case, by whom, when, how,
    towards which unit and with what outcome. Rows are never edited: a correction is a new row."""

    __tablename__ = "supervision_entry"
    __table_args__ = (Index("ix_supervision_entry_acted", "acted_on", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    acted_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_meeting.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyCase(Base):
    """领导包案 (Art. 18 ¶2): a named leader owns a case until it is resolved; `ended_at` when
    the director ends the assignment. 包案化解率 counts the cases that have one."""

    __tablename__ = "key_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    leader: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LeaderInstruction(Base):
    """A leader's 批示 on a case, and the handling unit's answer (its task `task_uuid`)."""

    __tablename__ = "leader_instruction"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    leader: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unit: Mapped[str | None] = mapped_column(String(64))
    task_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BacklogListing(Base):
    """积案: a case listed as a backlog case by the office or a higher level (`source`: 上级交办 or
    本级排查), on a given day, and — once settled — its 化解 with the outcome. A case is listed at
    most once at a time; a resolved listing stays as the record (积案化解率 counts it)."""

    __tablename__ = "backlog_listing"
    __table_args__ = (Index("ix_backlog_listing_case", "case_id", "resolved_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    listed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str | None] = mapped_column(String(64), index=True)     # the lead unit when listed
    listed_by: Mapped[str] = mapped_column(String(64))
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))              # 已化解 | 部分化解 | 未化解
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JointMeeting(Base):
    """A 联席会议 or 协调会 on one case handled by several units: when, who took part (unit codes,
    comma-joined, shown by name), and what was decided. Who does what are its duties."""

    __tablename__ = "joint_meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))           # 联席会议 | 协调会
    held_on: Mapped[date] = mapped_column(Date)
    units: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JointDuty(Base):
    """One unit's share of a joint meeting's decision: the task it got, and what it did."""

    __tablename__ = "joint_duty"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("joint_meeting.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(64))
    duty: Mapped[str] = mapped_column(Text)
    task_uuid: Mapped[str] = mapped_column(String(36), index=True)
    result: Mapped[str | None] = mapped_column(Text)
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
