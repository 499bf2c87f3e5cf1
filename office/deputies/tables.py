"""Deputies (人大代表), liaison stations (代表联络站) and the petitions deputies refer (代表转交)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class Deputy(Base):
    """A deputy; `username` links the account they sign in with (group `deputy`)."""

    __tablename__ = "deputy"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    delegation: Mapped[str] = mapped_column(String(100), default="")      # 代表团 or 选区
    contact: Mapped[str] = mapped_column(String(100), default="")
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Station(Base):
    __tablename__ = "liaison_station"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class StationDeputy(Base):
    __tablename__ = "liaison_station_deputy"
    station_id: Mapped[int] = mapped_column(ForeignKey("liaison_station.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id", ondelete="CASCADE"), primary_key=True)


class Referral(Base):
    """A case a deputy referred; `feedback_at` is when the 办理结果反馈 went to them."""

    __tablename__ = "deputy_referral"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("liaison_station.id"), index=True)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Proposal(Base):
    """Cases (or a hot topic's cases) put forward as material for a 代表建议 or 议案
    ("一类事项→一项机制"): its number once lodged, and the answer."""

    __tablename__ = "deputy_proposal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))                # 代表建议 | 议案
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(100), default="")   # the hot topic, when it came from one
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputy.id"))
    state: Mapped[str] = mapped_column(String(16), default="proposed")   # proposed | lodged | answered
    number: Mapped[str | None] = mapped_column(String(50))
    lodged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(4000))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProposalCase(Base):
    __tablename__ = "deputy_proposal_case"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("deputy_proposal.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
