"""Notifications: in-app messages, and the outbox of the external notifier."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
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
