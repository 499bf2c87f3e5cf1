"""Tables of the timer service: one heartbeat row per scheduler process.

Reminder and escalation jobs are rows of the core `timer` table (kind 'reminder' /
'escalation'), so suspension, termination and the due-timer index cover them too.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


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
