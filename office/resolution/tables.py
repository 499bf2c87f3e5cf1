"""The 化解 record: whether a case's dispute is settled, who decided it and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class ResolutionRecord(Base):
    """One decision on a case's 化解 (已化解 / 部分化解 / 未化解): recorded by the step whose form
    declares `resolution` (the reply, the on-the-spot answer, the rating, a 复查 or 复核 decision),
    or set by the director with a reason. Append-only: the latest decision is the case's 化解 now,
    the earlier ones its history."""

    __tablename__ = "case_resolution"
    __table_args__ = (Index("ix_case_resolution_case", "case_id", "decided_at", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(256))         # the step's name, or 主任认定
    bpmn_id: Mapped[str | None] = mapped_column(String(128))   # the step's id; None for the director's
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
