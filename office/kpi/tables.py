"""The KPI read tables: `case_metrics`, one row per case with the dates and flags KPIs count,
and `unit_metrics`, one row per handling unit of a case (主办 and each 协办).

Maintained by office.kpi.projection inside each step's transaction, so figures are plain SQL
aggregates (correct for open cases too) and never need a workflow loaded.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from engine.store.models import Base, UTCDateTime

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
        Index("ix_case_metrics_done", "done_at"),
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
    done_at: Mapped[datetime | None] = mapped_column(EpochMicros())        # 办结: the reply served (or on the spot)
    window_end: Mapped[datetime | None] = mapped_column(EpochMicros())     # 一次性化解 window after 办结
    closed_at: Mapped[datetime | None] = mapped_column(EpochMicros())      # 封档 (archived)
    outcome: Mapped[str | None] = mapped_column(String(16))
    rating: Mapped[str | None] = mapped_column(String(16))                # of the office (where asked)
    unit_rating: Mapped[str | None] = mapped_column(String(16))           # of the lead unit
    evaluation_due: Mapped[datetime | None] = mapped_column(EpochMicros())
    evaluated_at: Mapped[datetime | None] = mapped_column(EpochMicros())
    evaluation_lapsed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    main_case_id: Mapped[int | None] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    key_case: Mapped[bool] = mapped_column(Boolean, default=False)         # 包案
    backlog: Mapped[bool] = mapped_column(Boolean, default=False)          # 积案 (listed by higher level)
    resolution: Mapped[str | None] = mapped_column(String(8))             # the 化解 record now (office.resolution)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)         # … is 已化解
    resolved_at: Mapped[datetime | None] = mapped_column(EpochMicros())    # … since then
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


class StatsDecision(Base):
    """The director's decision on a case's 纳入统计, with the reason; it stands over the rule that
    triage applied (data["in_stats"]) until the director decides again. Each decision is also in
    the case's audit trail."""
    __tablename__ = "stats_decision"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    counted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
