"""The petitioner's query codes: the current one and those it replaced."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class QueryCode(Base):
    """One issued code. Only the current one (not revoked) opens self-service; its hash is also
    on the case row, which the look-up reads. The code itself is kept encrypted so that the
    受理告知书, issued later in the process, can print it; re-issuing revokes it."""

    __tablename__ = "query_code"
    __table_args__ = (Index("ix_query_code_case", "case_id", "revoked_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    code_enc: Mapped[str] = mapped_column(Text)
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))
