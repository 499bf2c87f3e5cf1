"""KPI figures (domain.md §4) as SQL aggregates over case_metrics, identical on SQLite and
PostgreSQL, correct while cases are still open.

Each KPI is a cohort (the denominator) and a condition inside it (the numerator); periods are
half-open [start, end) in UTC; counts are given in 件次 (rows) and 人次 (sum of persons).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
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

    One scan of case_metrics for all figures: each row's cohort and hit flags are computed once,
    then summed (see `_flag_sums`), so a year over a million cases stays within the benchmark
    target on both databases."""
    chosen = [BY_KEY[k] for k in keys] if keys else list(KPIS)
    totals: dict = {}
    for record in _flag_sums(session, chosen, start, end, now, by, unit):
        sums = totals.setdefault(record[0], [0] * (4 * len(chosen)))
        for i, value in enumerate(record[1:]):
            sums[i] += int(value or 0)
    rows = []
    for grp in sorted(totals, key=lambda g: (g is None, g or "")):
        sums = totals[grp]
        for i, kpi in enumerate(chosen):
            total, hits, persons, person_hits = sums[4 * i: 4 * i + 4]
            if by and not total:
                continue
            rows.append({"kpi": kpi.key, "key": kpi.key, "label": kpi.label, "group": grp, "denominator": total,
                         "numerator": hits, "rate": _rate(hits, total),
                         "persons_denominator": persons, "persons_numerator": person_hits})
    if not by and not rows:
        rows = [{"kpi": k.key, "key": k.key, "label": k.label, "group": "", "denominator": 0, "numerator": 0, "rate": None,
                 "persons_denominator": 0, "persons_numerator": 0} for k in chosen]
    return rows


# SQLite runs one query on one core: above this many rows the scan is split by case id over
# several read connections (WAL lets them read side by side); PostgreSQL scans in parallel itself.
SPLIT_ROWS = 200_000
SPLIT_WAYS = max(1, min(4, os.cpu_count() or 1))


def _flag_sums(session: Session, chosen: list[Kpi], start, end, now, by, unit) -> list[tuple]:
    """(group, count, hits, persons, person hits per KPI...) rows, from one or several scans."""
    group = GROUPS[by] if by else literal("")
    flags = [group.label("grp"), M.persons.label("persons")]
    for i, kpi in enumerate(chosen):
        cohort, hit = kpi.cohort(start, end, now), kpi.hit(start, end, now)
        flags += [case((cohort, 1), else_=0).label(f"c{i}"), case((and_(cohort, hit), 1), else_=0).label(f"h{i}")]
    base = _base(select(*flags)).where(M.in_stats == true(), scope(unit))
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    def query(low=None, high=None):
        inner = base if low is None else base.where(M.case_id >= low, M.case_id < high)
        # On SQLite a LIMIT keeps the subquery from being flattened into the sums, which would
        # evaluate every cohort expression once per aggregate instead of once per row.
        inner = (inner.limit(-1) if sqlite else inner).subquery("flags")
        sums = [inner.c.grp if by else literal("")]
        for i in range(len(chosen)):
            c, h = inner.c[f"c{i}"], inner.c[f"h{i}"]
            sums += [func.sum(c), func.sum(h), func.sum(c * inner.c.persons), func.sum(h * inner.c.persons)]
        return select(*sums).group_by(inner.c.grp) if by else select(*sums)

    low, high, count = session.execute(select(func.min(M.case_id), func.max(M.case_id), func.count())).one()
    if not sqlite or SPLIT_WAYS == 1 or (count or 0) < SPLIT_ROWS:
        return list(session.execute(query()))
    step = (high - low) // SPLIT_WAYS + 1
    ranges = [(low + k * step, low + (k + 1) * step) for k in range(SPLIT_WAYS)]

    def scan(bounds):
        with bind.connect() as conn:
            return list(conn.execute(query(*bounds)))
    with ThreadPoolExecutor(SPLIT_WAYS, thread_name_prefix="kpi-scan") as pool:
        return [row for part in pool.map(scan, ranges) for row in part]


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
