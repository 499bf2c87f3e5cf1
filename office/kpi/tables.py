"""The KPI read tables: `case_metrics`, one row per case with the dates and flags KPIs count,
and `unit_metrics`, one row per handling unit of a case (主办 and each 协办).

Maintained by office.kpi.projection inside each step's transaction, so figures are plain SQL
aggregates (correct for open cases too) and never need a workflow loaded.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from engine.store.models import Base

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


def micros(value: datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime: store aware UTC datetimes only")
    return (value - EPOCH) // MICROSECOND


class EpochMicros(TypeDecorator):
    """Aware datetimes stored as whole microseconds since 1970 UTC. A year's KPIs compare ten
    instants on each of a million rows: integers compare about twice as fast as SQLite's text
    timestamps, and keep the rows a third of the size, with no loss of precision."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return micros(value)

    def process_result_value(self, value, dialect):
        return None if value is None else EPOCH + int(value) * MICROSECOND


class CaseMetrics(Base):
    __tablename__ = "case_metrics"
    __table_args__ = (
        Index("ix_case_metrics_registered", "registered_at"),
        Index("ix_case_metrics_route_due", "route_due"),
        Index("ix_case_metrics_unit_due", "unit_accept_due"),
        Index("ix_case_metrics_handle_due", "handle_due"),
        Index("ix_case_metrics_evaluation_due", "evaluation_due"),
        Index("ix_case_metrics_closed", "closed_at"),
        Index("ix_case_metrics_unit", "unit"),
        Index("ix_case_metrics_main", "main_case_id"),
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    reg_no: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(64))                 # the lead (主办) unit
    accused_unit: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(16))
    organ: Mapped[str | None] = mapped_column(String(64))
    in_stats: Mapped[bool] = mapped_column(Boolean, default=True)          # 纳入统计
    registered_at: Mapped[datetime | None] = mapped_column(EpochMicros())
    route_due: Mapped[datetime | None] = mapped_column(EpochMicros())      # registration + 15 d
    accepted_at: Mapped[datetime | None] = mapped_column(EpochMicros())    # first 受理/告知 decision
    unit_accept_due: Mapped[datetime | None] = mapped_column(EpochMicros())  # registration + 30 d
    unit_accepted_at: Mapped[datetime | None] = mapped_column(EpochMicros())
    handle_due: Mapped[datetime | None] = mapped_column(EpochMicros())     # 限办截止时间 (with extension)
    done_at: Mapped[datetime | None] = mapped_column(EpochMicros())        # 办结: reply served or report accepted
    closed_at: Mapped[datetime | None] = mapped_column(EpochMicros())
    outcome: Mapped[str | None] = mapped_column(String(16))
    rating: Mapped[str | None] = mapped_column(String(16))                # of the office
    unit_rating: Mapped[str | None] = mapped_column(String(16))           # of the lead unit
    evaluation_due: Mapped[datetime | None] = mapped_column(EpochMicros())
    evaluated_at: Mapped[datetime | None] = mapped_column(EpochMicros())
    evaluation_lapsed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    main_case_id: Mapped[int | None] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    key_case: Mapped[bool] = mapped_column(Boolean, default=False)         # 包案
    backlog: Mapped[bool] = mapped_column(Boolean, default=False)          # 积案 (listed by higher level)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)         # 化解
    mode: Mapped[str | None] = mapped_column(String(16))                  # 交办 / 转送 / …
    routed_at: Mapped[datetime | None] = mapped_column(EpochMicros())      # sent to the unit(s)
    first_at: Mapped[datetime | None] = mapped_column(EpochMicros())       # earliest instant a cohort reads
    last_at: Mapped[datetime | None] = mapped_column(EpochMicros())        # latest instant a cohort reads


class UnitMetrics(Base):
    """What one unit owes on one case: the lead's reply or report, or a co-handling unit's opinion,
    each against its deadline. The 交办督办 ledger and the per-unit 按期办结率 read it, each from
    its own covering index (SQLite would otherwise fetch a million rows one by one)."""
    __tablename__ = "unit_metrics"
    __table_args__ = (
        Index("ix_unit_metrics_ledger", "mode", "unit", "routed_at", "due", "done_at"),
        Index("ix_unit_metrics_co", "lead", "due", "in_stats", "unit", "done_at", "persons"),
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=True)             # 主办 (else 协办)
    mode: Mapped[str | None] = mapped_column(String(16))
    in_stats: Mapped[bool] = mapped_column(Boolean, default=True)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    routed_at: Mapped[datetime | None] = mapped_column(EpochMicros())
    due: Mapped[datetime | None] = mapped_column(EpochMicros())
    done_at: Mapped[datetime | None] = mapped_column(EpochMicros())
