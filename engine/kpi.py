"""KPI figures (domain.md §4) as SQL aggregates over case_metrics: one query per figure,
identical on SQLite and PostgreSQL, correct while cases are still open.

Each KPI is a cohort (the denominator) and a condition inside it (the numerator); periods are
half-open [start, end) in UTC; counts are given in 件次 (rows) and 人次 (sum of persons).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from .kpi_tables import CaseMetrics as M

LOCAL = ZoneInfo("Asia/Shanghai")
GROUPS = {"unit": M.unit, "category": M.category, "region": M.region, "channel": M.channel, "organ": M.organ}
SATISFIED = ("满意", "基本满意")
RATINGS = SATISFIED + ("不满意",)


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    cohort: Callable        # (start, end, now) -> SQL condition
    hit: Callable           # (start, end, now) -> SQL condition within the cohort


def _within(column, start, end):
    return and_(column >= start, column < end)


def _due_within(column, start, end):
    """Deadlines end at 24:00 local (16:00Z), which is the next period's first instant: a due
    time belongs to the period whose last day it ends, hence (start, end]."""
    return and_(column > start, column <= end)


def _repeated():
    """Cases some 重件 names as its 主件: an outer-joined set (a hash join, not a per-row subquery)."""
    repeat = aliased(M)
    return (select(repeat.main_case_id.label("main_id")).where(repeat.is_repeat == true(),
                                                               repeat.main_case_id.is_not(None))
            .distinct().subquery("repeated"))


REPEATED = _repeated()


def _base(query):
    return query.select_from(M).outerjoin(REPEATED, REPEATED.c.main_id == M.case_id)


def _no_later_repeat():
    return REPEATED.c.main_id.is_(None)


KPIS = (
    Kpi("timely_acceptance", "及时受理率", lambda s, e, n: _due_within(M.route_due, s, e),
        lambda s, e, n: M.accepted_at <= M.route_due),
    Kpi("unit_timely_acceptance", "及时受理率（单位）",
        lambda s, e, n: and_(_due_within(M.unit_accept_due, s, e), M.unit.is_not(None)),
        lambda s, e, n: M.unit_accepted_at <= M.unit_accept_due),
    Kpi("on_time_closure", "按期办结率", lambda s, e, n: _due_within(M.handle_due, s, e),
        lambda s, e, n: M.done_at <= M.handle_due),
    Kpi("evaluation_rate", "参评率",
        lambda s, e, n: and_(_due_within(M.evaluation_due, s, e),
                             or_(M.evaluated_at.is_not(None), M.evaluation_lapsed == true(), M.evaluation_due < n)),
        lambda s, e, n: M.evaluated_at.is_not(None)),
    Kpi("satisfaction", "满意率", lambda s, e, n: and_(_within(M.evaluated_at, s, e), M.rating.in_(RATINGS)),
        lambda s, e, n: M.rating.in_(SATISFIED)),
    Kpi("repeat_rate", "重复信访率", lambda s, e, n: _within(M.registered_at, s, e),
        lambda s, e, n: M.is_repeat == true()),
    Kpi("first_time_resolution", "一次性化解率",
        lambda s, e, n: and_(_within(M.closed_at, s, e), M.is_repeat == false()),
        lambda s, e, n: and_(M.resolved == true(), _no_later_repeat())),
    Kpi("backlog_resolution", "积案化解率", lambda s, e, n: and_(M.backlog == true(), M.registered_at < e),
        lambda s, e, n: and_(M.resolved == true(), M.closed_at < e)),
    Kpi("key_case_resolution", "包案化解率", lambda s, e, n: and_(M.key_case == true(), _within(M.registered_at, s, e)),
        lambda s, e, n: and_(M.resolved == true(), M.closed_at < e)),
    Kpi("online_share", "网信占比", lambda s, e, n: _within(M.registered_at, s, e),
        lambda s, e, n: M.channel == "网信"),
)
BY_KEY = {k.key: k for k in KPIS}


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """'2026-10' -> [1 Oct 00:00, 1 Nov 00:00) Asia/Shanghai, as UTC: a due date at 24:00 of the
    last day (16:00Z) falls inside its own month."""
    year, mon = (int(p) for p in month.split("-"))
    start = date(year, mon, 1)
    end = date(year + mon // 12, mon % 12 + 1, 1)
    return tuple(datetime.combine(d, time(), LOCAL).astimezone(timezone.utc) for d in (start, end))


def scope(unit: str | None):
    """Unit staff count only their unit's cases, never reports against their own unit (Art. 30)."""
    if unit is None:
        return true()
    return and_(M.unit == unit, or_(M.accused_unit.is_(None), M.accused_unit != unit))


def figures(session: Session, start: datetime, end: datetime, now: datetime, *, by: str | None = None,
            unit: str | None = None, keys: tuple[str, ...] | None = None) -> list[dict]:
    """Every KPI (or `keys`), optionally grouped by unit/category/region/channel/organ.

    One scan of case_metrics for all figures (conditional sums), so a year over a million cases
    stays within the benchmark target on both databases."""
    group = GROUPS[by] if by else literal("")
    chosen = [BY_KEY[k] for k in keys] if keys else list(KPIS)
    columns = [group.label("grp")]
    for kpi in chosen:
        cohort, hit = kpi.cohort(start, end, now), kpi.hit(start, end, now)
        inside = case((cohort, case((hit, 1), else_=0)), else_=None)
        columns += [func.count(case((cohort, 1))), func.coalesce(func.sum(inside), 0),
                    func.coalesce(func.sum(case((cohort, M.persons))), 0),
                    func.coalesce(func.sum(inside * M.persons), 0)]
    query = _base(select(*columns)).where(M.in_stats == true(), scope(unit))
    if by:
        query = query.group_by(group).order_by(group)
    rows = []
    for record in session.execute(query):
        for i, kpi in enumerate(chosen):
            total, hits, persons, person_hits = record[1 + 4 * i: 5 + 4 * i]
            if by and not total:
                continue
            rows.append({"kpi": kpi.key, "label": kpi.label, "group": record[0], "denominator": int(total),
                         "numerator": int(hits), "rate": _rate(hits, total),
                         "persons_denominator": int(persons), "persons_numerator": int(person_hits)})
    if not by and not rows:
        rows = [{"kpi": k.key, "label": k.label, "group": "", "denominator": 0, "numerator": 0, "rate": None,
                 "persons_denominator": 0, "persons_numerator": 0} for k in chosen]
    return rows


def _rate(hits, total) -> float | None:
    return round(100.0 * int(hits) / int(total), 2) if total else None


def cases_behind(session: Session, key: str, start: datetime, end: datetime, now: datetime, *,
                 part: str = "numerator", by: str | None = None, group: str | None = None,
                 unit: str | None = None, limit: int = 500) -> list[dict]:
    """The cases a figure counts: `part` numerator, denominator or 'missed' (denominator minus numerator)."""
    kpi = BY_KEY[key]
    conditions = [kpi.cohort(start, end, now), M.in_stats == true(), scope(unit)]
    hit = kpi.hit(start, end, now)
    if part == "numerator":
        conditions.append(hit)
    elif part == "missed":
        conditions.append(~func.coalesce(hit, false()))
    if by:
        conditions.append(GROUPS[by] == group if group is not None else GROUPS[by].is_(None))
    query = _base(select(M.case_id, M.reg_no, M.unit, M.category, M.channel)).where(*conditions) \
        .order_by(M.case_id).limit(limit)
    return [dict(r._mapping) for r in session.execute(query)]
