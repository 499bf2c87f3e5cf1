"""The 代表恳谈会: the meeting, its deputies and cases, each deputy's opinion per case, and the
follow-up tasks it gives units (with a deadline, the last day at 24:00)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, UTCDateTime


class Meeting(Base):
    __tablename__ = "deputy_meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(String(7))                 # the selection it took its cases from
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingDeputy(Base):
    __tablename__ = "deputy_meeting_deputy"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("deputy_meeting.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id"), primary_key=True)


class MeetingCase(Base):
    __tablename__ = "deputy_meeting_case"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("deputy_meeting.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)


class MeetingOpinion(Base):
    __tablename__ = "deputy_meeting_opinion"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("deputy_meeting.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputy.id"), primary_key=True)
    opinion: Mapped[str] = mapped_column(Text)


class FollowUp(Base):
    __tablename__ = "deputy_meeting_follow_up"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("deputy_meeting.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(64), index=True)
    task: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(8), default="open")     # open | done
    result: Mapped[str | None] = mapped_column(Text)
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
