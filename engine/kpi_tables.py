"""The `case_metrics` read table: one row per case with the dates and flags KPIs count.

Maintained by engine.kpi_projection inside each step's transaction, so figures are plain SQL
aggregates (correct for open cases too) and never need a workflow loaded.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


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
    unit: Mapped[str | None] = mapped_column(String(64))
    accused_unit: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(16))
    organ: Mapped[str | None] = mapped_column(String(64))
    in_stats: Mapped[bool] = mapped_column(Boolean, default=True)          # 纳入统计
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    route_due: Mapped[datetime | None] = mapped_column(UTCDateTime())      # registration + 15 d
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())    # first 受理/告知 decision
    unit_accept_due: Mapped[datetime | None] = mapped_column(UTCDateTime())  # registration + 30 d
    unit_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handle_due: Mapped[datetime | None] = mapped_column(UTCDateTime())     # 限办截止时间 (with extension)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())        # 办结: reply served or report accepted
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))
    rating: Mapped[str | None] = mapped_column(String(16))
    evaluation_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evaluation_lapsed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    main_case_id: Mapped[int | None] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    key_case: Mapped[bool] = mapped_column(Boolean, default=False)         # 包案
    backlog: Mapped[bool] = mapped_column(Boolean, default=False)          # 积案 (listed by higher level)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)         # 化解
