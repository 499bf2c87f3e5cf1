"""KPI figures (docs/domain.md §4) as SQL aggregates over case_metrics (and unit_metrics for the
co-handling parts), identical on SQLite and PostgreSQL, correct while cases are still open.

Each KPI is a cohort (the denominator) and a condition inside it (the numerator); periods are
half-open [start, end) in UTC; counts are given in 件次 (rows) and 人次 (sum of persons). The
drill-down (`cases_behind`) filters with the very conditions the figures count.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import BigInteger, and_, case, false, func, literal, literal_column, or_, select, true
from sqlalchemy.orm import Session, aliased

from office.kpi.tables import MICROSECOND, CaseMetrics as M, UnitMetrics as U, micros

GROUPS = {"unit": M.unit, "category": M.category, "region": M.region, "channel": M.channel, "organ": M.organ}
SATISFIED = ("满意", "基本满意")
RATINGS = SATISFIED + ("不满意",)


@dataclass(frozen=True)
class Ask:
    """What one question binds: the period [start, end), the instant figures are taken at, and the
    一次性化解 window (None: a 重件 at any time after closure counts against it)."""
    start: datetime
    end: datetime
    now: datetime
    window: timedelta | None = None
    back: object = None        # the came-back subquery, built by `ask`


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    cohort: Callable        # (Ask) -> SQL condition: the denominator
    hit: Callable           # (Ask) -> SQL condition within the cohort: the numerator
    classes: tuple = ()     # (key, label, (Ask) -> condition): named parts of the cohort outside the hit


def _within(column, a: Ask):
    return and_(column >= a.start, column < a.end)


def _due_within(column, a: Ask):
    """Deadlines end at 24:00 local (16:00Z), which is the next period's first instant: a due
    time belongs to the period whose last day it ends, hence (start, end]."""
    return and_(column > a.start, column <= a.end)


def _came_back(window: timedelta | None):
    """初件 some 重件 came back to after closure (within the window): a small joined set, outer-joined
    to the scan (a hash join, not a per-row subquery)."""
    repeat, main = aliased(M), aliased(M)
    later = [repeat.registered_at > main.closed_at]
    if window is not None:
        later.append(repeat.registered_at <= main.closed_at + literal(window // MICROSECOND, BigInteger))
    return (select(repeat.main_case_id.label("main_id")).join(main, main.case_id == repeat.main_case_id)
            .where(repeat.is_repeat == true(), *later).distinct().subquery("came_back"))


def _accepted_in_time(a: Ask):
    """First accepted at any level (the office's decision or the unit's acceptance) by the deadline."""
    return or_(M.accepted_at <= M.route_due, M.unit_accepted_at <= M.route_due)


def _accepted_late(a: Ask):
    return and_(~func.coalesce(_accepted_in_time(a), false()),
                or_(M.accepted_at.is_not(None), M.unit_accepted_at.is_not(None)))


def _not_accepted(a: Ask):
    return and_(M.accepted_at.is_(None), M.unit_accepted_at.is_(None), M.route_due < a.now)


KPIS = (
    Kpi("timely_acceptance", "及时受理率", lambda a: _due_within(M.route_due, a), _accepted_in_time,
        (("accepted_late", "超期受理", _accepted_late), ("not_accepted", "超期未受理", _not_accepted))),
    Kpi("unit_timely_acceptance", "及时受理率（单位）",
        lambda a: and_(_due_within(M.unit_accept_due, a), M.unit.is_not(None)),
        lambda a: M.unit_accepted_at <= M.unit_accept_due),
    Kpi("on_time_closure", "按期办结率", lambda a: _due_within(M.handle_due, a), lambda a: M.done_at <= M.handle_due),
    Kpi("evaluation_rate", "参评率",
        lambda a: and_(_due_within(M.evaluation_due, a),
                       or_(M.evaluated_at.is_not(None), M.evaluation_lapsed == true(), M.evaluation_due < a.now)),
        lambda a: M.evaluated_at.is_not(None)),
    Kpi("satisfaction", "满意率", lambda a: and_(_within(M.evaluated_at, a), M.rating.in_(RATINGS)),
        lambda a: M.rating.in_(SATISFIED)),
    Kpi("unit_satisfaction", "满意率（单位）",
        lambda a: and_(_within(M.evaluated_at, a), M.unit_rating.in_(RATINGS), M.unit.is_not(None)),
        lambda a: M.unit_rating.in_(SATISFIED)),
    Kpi("repeat_rate", "重复信访率", lambda a: _within(M.registered_at, a), lambda a: M.is_repeat == true()),
    Kpi("first_time_resolution", "一次性化解率", lambda a: and_(_within(M.closed_at, a), M.is_repeat == false()),
        lambda a: and_(M.resolved == true(), a.back.c.main_id.is_(None))),
    Kpi("backlog_resolution", "积案化解率", lambda a: and_(M.backlog == true(), M.registered_at < a.end),
        lambda a: and_(M.resolved == true(), M.closed_at < a.end)),
    Kpi("key_case_resolution", "包案化解率", lambda a: and_(M.key_case == true(), _within(M.registered_at, a)),
        lambda a: and_(M.resolved == true(), M.closed_at < a.end)),
    Kpi("online_share", "网信占比", lambda a: _within(M.registered_at, a), lambda a: M.channel == "网信"),
)
BY_KEY = {k.key: k for k in KPIS}
CO_PARTS = "on_time_closure"      # the one figure a co-handling (协办) unit is credited with


def ask(start: datetime, end: datetime, now: datetime, window: timedelta | None = None) -> Ask:
    return Ask(start, end, now, window, _came_back(window))


def _from(query, a: Ask):
    return query.select_from(M).outerjoin(a.back, a.back.c.main_id == M.case_id)


def scope(unit: str | None):
    """Unit staff count only the cases their unit leads, never reports against their own unit
    (Art. 30); their co-handling parts come from unit_metrics (`_co_sums`)."""
    if unit is None:
        return true()
    return and_(M.unit == unit, or_(M.accused_unit.is_(None), M.accused_unit != unit))


def figures(session: Session, a: Ask, *, by: str | None = None, unit: str | None = None,
            keys: tuple[str, ...] | None = None) -> list[dict]:
    """Every KPI (or `keys`), optionally grouped by unit/category/region/channel/organ.

    One scan of case_metrics for all figures (see `_patterns`), so a year over a million cases
    stays within the benchmark target on both databases. Per unit (grouped by unit, or for a
    unit's own staff) 按期办结率 also counts the co-handling parts, each by its own deadline."""
    chosen = [BY_KEY[k] for k in keys] if keys else list(KPIS)
    totals: dict = {}
    for grp, pattern, persons, count in _patterns(session, chosen, a, by, unit):
        sums = totals.setdefault(grp, [[0] * (4 + len(k.classes)) for k in chosen])
        for kpi, part in zip(chosen, sums):
            pattern = _add(kpi, part, pattern, int(persons), int(count))
    if CO_PARTS in [k.key for k in chosen] and (by == "unit" or unit is not None):
        at = [k.key for k in chosen].index(CO_PARTS)
        for grp, *values in _co_sums(session, a, by, unit):
            part = totals.setdefault(grp, [[0] * (4 + len(k.classes)) for k in chosen])[at]
            for i, value in enumerate(values):
                part[i] += int(value or 0)
    rows = [_row(kpi, grp, part) for grp in sorted(totals, key=lambda g: (g is None, g or ""))
            for kpi, part in zip(chosen, totals[grp]) if not by or part[0]]
    if not rows and not by:
        rows = [_row(k, "", [0] * (4 + len(k.classes))) for k in chosen]
    return rows


def _row(kpi: Kpi, grp, sums: list[int]) -> dict:
    total, hits, persons, person_hits = sums[:4]
    row = {"kpi": kpi.key, "key": kpi.key, "label": kpi.label, "group": grp, "denominator": total,
           "numerator": hits, "rate": _rate(hits, total), "persons_denominator": persons,
           "persons_numerator": person_hits}
    if kpi.classes:     # 及时受理率: 及时 / 超期受理 / 超期未受理, and the rest not yet due
        named = dict(zip((label for _, label, _ in kpi.classes), sums[4:]))
        row["classes"] = {"及时": hits, **named, "未到期": total - hits - sum(named.values())}
    return row


def _pattern(chosen: list[Kpi], a: Ask):
    """One integer per row holding every KPI's state: a base-3 digit per KPI (0 outside the cohort,
    1 inside, 2 hit), then a bit per class. Grouping rows by (group, pattern, persons) leaves a
    few thousand groups whatever the table size; `_add` reads them back."""
    pattern, weight = literal(0, BigInteger), 1
    for kpi in chosen:
        cohort = kpi.cohort(a)
        pattern = pattern + case((cohort, case((kpi.hit(a), 2 * weight), else_=weight)), else_=0)
        weight *= 3
        for _, _, condition in kpi.classes:
            pattern = pattern + case((and_(cohort, condition(a)), weight), else_=0)
            weight *= 2
    return pattern


def _add(kpi: Kpi, part: list[int], pattern: int, persons: int, count: int) -> int:
    """Adds one KPI's share of a pattern group to `part`; returns the rest of the pattern."""
    pattern, state = divmod(pattern, 3)
    if state:
        part[0] += count
        part[2] += count * persons
    if state == 2:
        part[1] += count
        part[3] += count * persons
    for i in range(len(kpi.classes)):
        pattern, bit = divmod(pattern, 2)
        part[4 + i] += count * bit
    return pattern


def _active(a: Ask):
    """Rows some cohort of the period can hold: some instant a cohort looks at falls in it, or a
    listed backlog case (counted cumulatively). Plain comparisons (`+ 0` keeps them off the
    indexes): they only spare the flags of other periods' rows in the scan."""
    start, end, zero = (literal(v, BigInteger) for v in (micros(a.start), micros(a.end), 0))
    return and_(M.first_at + zero < end, or_(M.last_at + zero >= start, M.backlog == true()))


# SQLite runs one query on one core: above this many rows the scan is split by case id over
# several read connections (WAL lets them read side by side); PostgreSQL scans in parallel itself.
SPLIT_ROWS = 200_000
SPLIT_WAYS = max(1, min(4, os.cpu_count() or 1))


def _patterns(session: Session, chosen: list[Kpi], a: Ask, by, unit) -> list[tuple]:
    """(group, pattern, persons, rows) from one scan, or on SQLite from a few side by side."""
    group = GROUPS[by] if by else literal_column("''")
    base = _from(select(group.label("grp"), _pattern(chosen, a).label("pattern"), M.persons.label("persons")), a) \
        .where(M.in_stats == true(), scope(unit), _active(a))
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    def query(low=None, high=None):
        inner = base if low is None else base.where(M.case_id >= low, M.case_id < high)
        inner = inner.subquery("flags")
        return select(inner.c.grp, inner.c.pattern, inner.c.persons, func.count()) \
            .group_by(inner.c.grp, inner.c.pattern, inner.c.persons)

    low, high = session.execute(select(func.min(M.case_id), func.max(M.case_id))).one()
    if not sqlite or SPLIT_WAYS == 1 or low is None or high - low < SPLIT_ROWS:
        return list(session.execute(query()))
    step = (high - low) // SPLIT_WAYS + 1
    ranges = [(low + k * step, low + (k + 1) * step) for k in range(SPLIT_WAYS)]

    def scan(bounds):
        with bind.connect() as conn:
            return list(conn.execute(query(*bounds)))
    with ThreadPoolExecutor(SPLIT_WAYS, thread_name_prefix="kpi-scan") as pool:
        return [row for part in pool.map(scan, ranges) for row in part]


def _co_parts(a: Ask, by: str | None, unit: str | None) -> tuple:
    """(group column, conditions) of the co-handling parts due in the period: a 协办 unit owes its
    opinion by the handle deadline; the case's category, region… group it like its case."""
    group = U.unit if by == "unit" else (GROUPS[by] if by else literal(""))
    where = [U.lead == false(), U.in_stats == true(), U.due > a.start, U.due <= a.end]
    if unit is not None:
        where.append(U.unit == unit)
    return group, where


def _co_sums(session: Session, a: Ask, by: str | None, unit: str | None) -> list[tuple]:
    group, where = _co_parts(a, by, unit)
    hit = case((U.done_at <= U.due, 1), else_=0)
    query = select(group, func.count(), func.sum(hit), func.sum(U.persons), func.sum(hit * U.persons)) \
        .select_from(U).where(*where)
    if by not in (None, "unit"):
        query = query.join(M, M.case_id == U.case_id)
    return list(session.execute(query.group_by(group) if by else query))


def _rate(hits, total) -> float | None:
    return round(100.0 * int(hits) / int(total), 2) if total else None


PARTS = ("numerator", "denominator", "missed")


def cases_behind(session: Session, key: str, a: Ask, *, part: str = "numerator", by: str | None = None,
                 group: str | None = None, unit: str | None = None, limit: int = 500) -> list[dict]:
    """The cases a figure counts: `part` numerator, denominator, 'missed' (denominator minus
    numerator) or one of the KPI's classes; per unit with the co-handling parts (role 协办)."""
    kpi = BY_KEY[key]
    conditions = [kpi.cohort(a), M.in_stats == true(), scope(unit)]
    classes = {name: condition for name, _, condition in kpi.classes}
    if part == "numerator":
        conditions.append(kpi.hit(a))
    elif part == "missed":
        conditions.append(~func.coalesce(kpi.hit(a), false()))
    elif part in classes:
        conditions.append(classes[part](a))
    if by:
        conditions.append(GROUPS[by] == group if group is not None else GROUPS[by].is_(None))
    role = case((M.unit.is_not(None), "主办"))
    query = _from(select(M.case_id, M.reg_no, M.unit, M.category, M.channel, role.label("role")), a) \
        .where(*conditions)
    if key == CO_PARTS and (by == "unit" or unit is not None) and part in PARTS:
        query = query.union_all(_co_cases(a, part, by, group, unit))
    query = query.order_by("case_id", "role").limit(limit)
    return [dict(r._mapping) for r in session.execute(query)]


def _co_cases(a: Ask, part: str, by, group, unit):
    column, where = _co_parts(a, by, unit)
    if part == "numerator":
        where.append(U.done_at <= U.due)
    elif part == "missed":
        where.append(or_(U.done_at.is_(None), U.done_at > U.due))
    if by:
        where.append(column == group if group is not None else column.is_(None))
    return select(M.case_id, M.reg_no, U.unit, M.category, M.channel, literal("协办").label("role")) \
        .select_from(U).join(M, M.case_id == U.case_id).where(*where)
