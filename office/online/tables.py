"""Online petitions (网上信访) waiting for the office's 登记审核, and their files."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class OnlineSubmission(Base):
    """One petition sent through the public page or API. Everything the petitioner wrote is kept
    encrypted (`form_enc`, Fernet) from the first write; only the keyed hash of the ID number
    (for repeat hints) and the state are readable. `number` is what the petitioner tracks with;
    once registered the case carries the same query code."""

    __tablename__ = "online_submission"
    __table_args__ = (Index("ix_online_submission_state", "state", "submitted_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")      # pending / registered / returned
    form_enc: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str] = mapped_column(String(64), default="")
    code_enc: Mapped[str] = mapped_column(Text)
    code_hash: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64), default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))


class OnlineFile(Base):
    """An attachment, stored under storage_dir/online with a generated name."""

    __tablename__ = "online_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("online_submission.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
