"""The migration log: every move of a running case to another process version, with the state
it had before, so the move can be reversed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class CaseMigration(Base):
    __tablename__ = "case_migration"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    to_definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    from_version: Mapped[int] = mapped_column(Integer)
    to_version: Mapped[int] = mapped_column(Integer)
    old_state: Mapped[bytes] = mapped_column(LargeBinary)          # the case blob before the move
    new_state_hash: Mapped[str] = mapped_column(String(64))        # reversal only if nothing happened since
    summary: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reverted_by: Mapped[str | None] = mapped_column(String(64))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
