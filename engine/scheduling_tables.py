"""Tables of the timer service: in-app notifications (also the e-mail/SMS outbox) and
one heartbeat row per scheduler process.

Reminder and escalation jobs are rows of the core `timer` table (kind 'reminder' /
'escalation'), so suspension, termination and the due-timer index cover them too.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


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


class SchedulerHeartbeat(Base):
    """Written by each scheduler process at every tick; counters are cumulative per process
    so /metrics can expose them as Prometheus counters from any web worker."""

    __tablename__ = "scheduler_heartbeat"
    worker: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(128), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_tick_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ticks: Mapped[int] = mapped_column(Integer, default=0)
    fired: Mapped[int] = mapped_column(Integer, default=0)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    last_fired: Mapped[int] = mapped_column(Integer, default=0)
    last_tick_ms: Mapped[float] = mapped_column(Float, default=0.0)
    backlog: Mapped[int] = mapped_column(Integer, default=0)
    lateness_count: Mapped[int] = mapped_column(Integer, default=0)
    lateness_sum: Mapped[float] = mapped_column(Float, default=0.0)
    lateness_max: Mapped[float] = mapped_column(Float, default=0.0)
    lateness_buckets: Mapped[list | None] = mapped_column(JSON)   # cumulative counts per LATENESS_BUCKETS


__all__ = ["Notification", "SchedulerHeartbeat"]
