"""KPI figures (docs/kpi.md) as SQL aggregates over case_metrics (and unit_metrics for the
co-handling parts), identical on SQLite and PostgreSQL, correct while cases are still open.

Each KPI is a cohort, split in three: the numerator (hit), the due cases outside it (missed),
and the cases not yet due (pending: a deadline or window still ahead with nothing to judge yet),
which are listed but left out of the rate: every rate reads only what is due. Periods are
half-open [start, end) in UTC; counts come in 件次 (rows) and 人次 (sum of persons). The
drill-down (`cases_behind`) filters with the very conditions the figures count.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import BigInteger, and_, case, false, func, literal, literal_column, or_, select, text, true
from sqlalchemy.orm import Session

from office.kpi.cohorts import BEFORE, BY_KEY, CO_PARTS, DUE, GROUPS, KPIS, Ask, Kpi, came_back, scope
from office.kpi.definitions import BY_KEY as DEFINED
from office.kpi.months import Months
from office.kpi.tables import CaseMetrics as M, UnitMetrics as U, micros

PENDING_LABEL = "未到期"
SUMS = 6                          # due, hits, persons due, persons hit, pending, persons pending; then classes


def ask(start: datetime, end: datetime, now: datetime) -> Ask:
    return Ask(start, end, now, came_back())


def _from(query, a: Ask):
    return query.select_from(M).outerjoin(a.back, a.back.c.main_id == M.case_id)


def figures(session: Session, a: Ask, *, by: str | None = None, unit: str | None = None,
            keys: tuple[str, ...] | None = None) -> list[dict]:
    """Every KPI (or `keys`), optionally grouped by unit/category/region/channel/organ.

    One scan of case_metrics for all figures (see `_patterns`), so a year over a million cases
    stays within the benchmark target on both databases. Per unit (grouped by unit, or for a
    unit's own staff) 按期办结率 also counts the co-handling parts, each by its own deadline."""
    return _figures(session, a, by, unit, keys)[None]


def trend(session: Session, months: list[tuple[str, datetime, datetime]], now: datetime, *,
          by: str | None = None, unit: str | None = None) -> list[dict]:
    """`figures` for each (label, start, end) month, consecutive, from one scan: each row's KPI
    states are worked out once, with the month each KPI's instant falls in (`Months.place`), and
    the groups are split into months afterwards (`_by_month`). Items carry their "month"."""
    a = Ask(months[0][1], months[-1][2], now, came_back(), Months.of(months))
    found = _figures(session, a, by, unit, None)
    return [{"month": label, **row} for label, _, _ in months
            for row in found.get(label) or _figures_of_nothing(by)]


def _figures_of_nothing(by: str | None) -> list[dict]:
    return [] if by else [_row(k, "", [0] * (SUMS + len(k.classes))) for k in KPIS]


def _figures(session: Session, a: Ask, by, unit, keys) -> dict:
    """{month (None outside a trend): figures}."""
    chosen = [BY_KEY[k] for k in keys] if keys else list(KPIS)
    totals: dict = {}

    def sums_of(month, grp) -> list[list[int]]:
        return totals.setdefault(month, {}).setdefault(grp, [[0] * (SUMS + len(k.classes)) for k in chosen])
    rows = _patterns(session, chosen, a, by, unit)
    if a.month is None:
        bases = [_base(kpi) for kpi in chosen]
        for _, grp, pattern, count, persons in rows:
            for base, part in zip(bases, sums_of(None, grp)):
                pattern, state = divmod(pattern, base)
                _add(part, state, count, persons)
    else:
        for (month, grp, at, state), (count, persons) in _by_month(chosen, a, rows).items():
            _add(sums_of(month, grp)[at], state, count, persons)
    if CO_PARTS in [k.key for k in chosen] and (by == "unit" or unit is not None):
        at = [k.key for k in chosen].index(CO_PARTS)
        for month, grp, state, count, persons in _co_sums(session, a, by, unit):
            _add(sums_of(month, grp)[at], int(state), int(count), int(persons))
    out = {}
    for month, groups in totals.items():
        out[month] = [_row(kpi, grp, part) for grp in sorted(groups, key=lambda g: (g is None, g or ""))
                      for kpi, part in zip(chosen, groups[grp]) if not by or part[0] or part[4]]
    if a.month is not None:
        return out
    rows = out.get(None) or ([] if by else [_row(k, "", [0] * (SUMS + len(k.classes))) for k in chosen])
    return {None: rows}


def _row(kpi: Kpi, grp, sums: list[int]) -> dict:
    """A figure with its reading: the rate over what is due, the cases not yet due beside it,
    the due cases missed (for a higher-is-better rate) and the verdict against the target."""
    due, hits, persons, person_hits, pending, persons_pending = sums[:SUMS]
    defined, rate = DEFINED[kpi.key], _rate(hits, due)
    row = {"kpi": kpi.key, "key": kpi.key, "label": kpi.label, "group": grp, "denominator": due,
           "numerator": hits, "rate": rate, "persons_denominator": persons, "persons_numerator": person_hits,
           "pending": pending, "persons_pending": persons_pending,
           "missed": due - hits if kpi.higher_is_better else None,
           "direction": defined.direction, "target": defined.target, "verdict": defined.verdict(rate)}
    if kpi.classes:     # e.g. 按期办结 / 超期办结 / 超期未办结 / 未到期
        named = dict(zip((label for _, label, _ in kpi.classes), sums[SUMS:]))
        row["classes"] = {kpi.hit_label: hits, **named, PENDING_LABEL: pending}
    return row


def _digit(kpi: Kpi, a: Ask, weight: int = 1):
    """A row's state for one KPI: 0 outside the cohort, 1 due and missed, 2 hit, 3 not yet due,
    4 + i missed and in the KPI's class i (the classes are disjoint parts of the missed), times
    `weight` (constants, so that a pattern adds digits without multiplying them). The figures
    and the drill-downs both read this one expression; a row evaluates each condition at most
    once."""
    def value(state: int):
        return literal_column(str(state * weight))
    inner = [(kpi.scored(a), value(2))] + ([(kpi.pending(a), value(3))] if kpi.pending else []) + \
        [(condition(a), value(4 + i)) for i, (_, _, condition) in enumerate(kpi.classes)]
    return case((kpi.cohort(a), case(*inner, else_=value(1))), else_=value(0))


def _base(kpi: Kpi) -> int:
    return 4 + len(kpi.classes)


def _pattern(chosen: list[Kpi], a: Ask):
    """One integer per row holding every KPI's state: a digit per KPI (`_digit`) in base
    4 + its classes (`_span` values in all). Grouping rows by (group, pattern) leaves a few
    thousand groups whatever the table size; `_figures` reads the digits back."""
    pattern, weight = literal(0, BigInteger), 1
    for kpi in chosen:
        pattern = pattern + _digit(kpi, a, weight)
        weight *= _base(kpi)
    return pattern


def _span(chosen: list[Kpi]) -> int:
    """How many values a pattern of `chosen` can take."""
    span = 1
    for kpi in chosen:
        span *= _base(kpi)
    return span


def _add(part: list[int], state: int, count: int, persons: int) -> None:
    """Adds `count` rows of one KPI state (`_digit`), holding `persons` persons, to a KPI's sums."""
    if state and state != 3:
        part[0] += count
        part[2] += persons
    if state == 2:
        part[1] += count
        part[3] += persons
    elif state == 3:
        part[4] += count
        part[5] += persons
    elif state >= 4:
        part[SUMS + state - 4] += count


def _active(a: Ask):
    """Rows some cohort of the period can hold: some instant a cohort looks at falls in it, or a
    listed backlog case (counted cumulatively). Plain comparisons (`+ 0` keeps them off the
    indexes): they only spare the flags of other periods' rows in the scan."""
    zero = literal(0, BigInteger)
    start, end = (literal(v, BigInteger) for v in (micros(a.start), micros(a.end)))
    return and_(M.first_at + zero < end, or_(M.last_at + zero >= start, M.backlog == true()))


# SQLite runs one query on one core: above this many rows the scan is split by case id over
# several read connections (WAL lets them read side by side); PostgreSQL scans in parallel itself.
SPLIT_ROWS = 200_000
SPLIT_WAYS = max(1, min(4, os.cpu_count() or 1))
# PostgreSQL groups the scan by sorting each parallel worker's rows; with its default work_mem
# (4 MB) a million rows spill to disk, which costs a year's query and a trend about a third more
WORK_MEM = "64MB"


def _patterns(session: Session, chosen: list[Kpi], a: Ask, by, unit) -> list[tuple]:
    """(places, group, pattern, rows, persons) from one scan, or on SQLite from a few side by side;
    places (a trend's, `Months.placed`) None outside a trend, group "" when not grouped."""
    keys = _keys(chosen, a, by)
    base = _from(select(*keys, M.persons.label("persons")), a).where(M.in_stats == true(), scope(unit), _active(a))
    bind = session.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    def query(low=None, high=None):
        inner = base if low is None else base.where(M.case_id >= low, M.case_id < high)
        inner = inner.subquery("flags")
        grouped = [inner.c[key.name] for key in keys]
        return select(*grouped, func.count(), func.sum(inner.c.persons)).group_by(*grouped)

    if not sqlite:      # for this transaction only; JIT pays off on a scan this long (engine/store/db.py)
        session.execute(text(f"SELECT set_config('work_mem', '{WORK_MEM}', true), set_config('jit', 'on', true)"))
    # two subqueries: SQLite reads one end of the key for a lone min() or max(), but scans for both
    low, high = session.execute(select(select(func.min(M.case_id)).scalar_subquery(),
                                       select(func.max(M.case_id)).scalar_subquery())).one()
    if not sqlite or SPLIT_WAYS == 1 or low is None or high - low < SPLIT_ROWS:
        return _unpacked(session.execute(query()), chosen, a, by)
    step = (high - low) // SPLIT_WAYS + 1
    ranges = [(low + k * step, low + (k + 1) * step) for k in range(SPLIT_WAYS)]

    def scan(bounds):
        with bind.connect() as conn:
            return [tuple(row) for row in conn.execute(query(*bounds))]   # see `_unpacked`
    with ThreadPoolExecutor(SPLIT_WAYS, thread_name_prefix="kpi-scan") as pool:
        return _unpacked((row for part in pool.map(scan, ranges) for row in part), chosen, a, by)


def _keys(chosen: list[Kpi], a: Ask, by) -> list:
    """What the scan groups its rows by: as narrow a key as will do, since on SQLite grouping a
    million rows (a sort) costs about as much as working out their patterns. Persons are summed,
    not grouped by; a trend's places and pattern make one integer, places × span + pattern,
    where that fits in 63 bits (trends of up to two years), else two; then the group column."""
    keys = [_pattern(chosen, a).label("pattern")]
    if a.month is not None:
        places = _places(chosen, a)
        placed, span = a.month.placed(places), _span(chosen)
        joint = a.month.radix ** len(places) * span <= 2 ** 63
        keys = [(placed * literal(span, BigInteger) + keys[0]).label("key")] if joint \
            else [placed.label("placed"), *keys]
    return keys + ([GROUPS[by].label("grp")] if by else [])


def _unpacked(rows, chosen: list[Kpi], a: Ask, by) -> list[tuple]:
    """The scan's rows (`_keys`, rows, persons) as (places, group, pattern, rows, persons), the
    parts of one group that side-by-side scans found added together. Sums are kept in tuples of
    ints, not lists, and the scans' rows as tuples: the garbage collector soon stops tracking
    those, whereas tens of thousands of lists or rows kept alive brought on a full collection
    (about 90 ms) in every trend."""
    span, found = _span(chosen), {}
    for *key, count, persons in rows:
        grp = key.pop() if by else ""
        if a.month is None:
            placed, pattern = None, int(key[0])
        elif len(key) == 1:
            placed, pattern = divmod(int(key[0]), span)
        else:
            placed, pattern = int(key[0]), int(key[1])
        got = found.get((placed, grp, pattern))
        count, persons = int(count), int(persons)
        found[placed, grp, pattern] = (count, persons) if got is None else (got[0] + count, got[1] + persons)
    return [(*key, count, persons) for key, (count, persons) in found.items()]


def _places(chosen: list[Kpi], a: Ask) -> list[tuple]:
    """The instants a trend places among its months, (column, due, when): each KPI's anchor and
    its `since`; `when` the rows whose place matters (None: all), so that the others add no
    groups (a 化解 instant matters only for 积案 and 包案 cases)."""
    users: dict = {}
    for kpi in chosen:
        users.setdefault((kpi.anchor.key, kpi.kind == DUE), (kpi.anchor, []))[1].append(kpi)
        if kpi.since is not None:
            users.setdefault((kpi.since.key, False), (kpi.since, []))[1].append(kpi)
    return [(column, due, None if any(k.where is None for k in kpis) else or_(*(k.where(a) for k in kpis)))
            for (_, due), (column, kpis) in users.items()]


def _by_month(chosen: list[Kpi], a: Ask, rows) -> dict:
    """A trend's (places, group, states, rows, persons) groups as {(month, group, KPI index,
    state): (rows, persons)}: a KPI counts a row in the month its anchor is placed in (from it
    on, for a cumulative one), and a hit with `since` from the month that instant is placed in
    (a miss before). Each group is taken apart KPI by KPI into (KPI, state, anchor's place,
    since's place), which few groups differ in, and only those are spread over the months."""
    places = [(column.key, due) for column, due, _ in _places(chosen, a)]
    plan = [(places.index((kpi.anchor.key, kpi.kind == DUE)),
             places.index((kpi.since.key, False)) if kpi.since is not None else None) for kpi in chosen]
    bases = [_base(kpi) for kpi in chosen]
    digits_of: dict = {}
    at_of: dict = {}
    parts: dict = {}
    for placed, grp, states, count, persons in rows:
        digits = digits_of.get(states)
        if digits is None:
            digits = digits_of[states] = _digits(states, bases)
        at = at_of.get(placed)
        if at is None:
            at = at_of[placed] = a.month.places(placed, len(places))
        for i, state in digits:
            anchor, since = plan[i]
            key = (grp, i, state, at[anchor], 0 if since is None else at[since])
            got = parts.get(key)
            parts[key] = (count, persons) if got is None else (got[0] + count, got[1] + persons)
    found: dict = {}
    for (grp, i, state, place, since_place), (count, persons) in parts.items():
        since = plan[i][1]
        for month in a.month.counted_in(place, chosen[i].kind == BEFORE):
            missed = state == 2 and since is not None and since_place > month
            key = (a.month.labels[month - 1], grp, i, 1 if missed else state)
            got = found.get(key)
            found[key] = (count, persons) if got is None else (got[0] + count, got[1] + persons)
    return found


def _digits(states: int, bases: list[int]) -> list[tuple[int, int]]:
    """(KPI index, state) of the KPIs a pattern puts the row in (state not 0)."""
    out = []
    for i, base in enumerate(bases):
        states, state = divmod(states, base)
        if state:
            out.append((i, state))
    return out


def _co_parts(a: Ask, by: str | None, unit: str | None) -> tuple:
    """(group column, conditions) of the co-handling parts due in the period: a 协办 unit owes its
    opinion by the handle deadline; the case's category, region… group it like its case."""
    group = U.unit if by == "unit" else (GROUPS[by] if by else literal(""))
    where = [U.lead == false(), U.in_stats == true(), U.due > a.start, U.due <= a.end]
    if unit is not None:
        where.append(U.unit == unit)
    return group, where


CO_CLASSES = {"closed_late": U.done_at.is_not(None), "open_overdue": U.done_at.is_(None)}


def _co_digit(a: Ask):
    """A co-handling part's state, as `_digit` for 按期办结率: its opinion by the deadline, or not
    yet due, or missed (late, or still open past the deadline)."""
    classes = [(CO_CLASSES[name], 4 + i) for i, (name, _, _) in enumerate(BY_KEY[CO_PARTS].classes)]
    return case((U.done_at <= U.due, 2), (and_(U.done_at.is_(None), U.due > a.now), 3), *classes, else_=1)


def _co_sums(session: Session, a: Ask, by: str | None, unit: str | None) -> list[tuple]:
    """(month, group, state, parts, persons) of the co-handling parts (month None outside a trend)."""
    group, where = _co_parts(a, by, unit)
    state = _co_digit(a)
    month = a.month.place(U.due, due=True) if a.month is not None else literal_column("NULL")
    query = select(month, group, state, func.count(), func.sum(U.persons)).select_from(U).where(*where)
    if by not in (None, "unit"):
        query = query.join(M, M.case_id == U.case_id)
    months = [month] if a.month is not None else []
    rows = session.execute(query.group_by(*months, *([group] if by else []), state))
    if a.month is None:
        return list(rows)
    return [(a.month.labels[place - 1], *rest) for place, *rest in rows]


def _rate(hits, total) -> float | None:
    return round(100.0 * int(hits) / int(total), 2) if total else None


def _states(kpi: Kpi, part: str) -> tuple[int, ...]:
    """The `_digit` values of one drill-down part."""
    classes = tuple(range(4, _base(kpi)))
    named = {name: (4 + i,) for i, (name, _, _) in enumerate(kpi.classes)}
    return {"numerator": (2,), "denominator": (1, 2) + classes, "missed": (1,) + classes,
            "pending": (3,)}.get(part) or named[part]


def parts(key: str) -> tuple[str, ...]:
    """The drill-downs a KPI has: numerator and denominator; the missed ones for a higher-is-better
    rate; the cases not yet due where it has a deadline or window; its named classes."""
    kpi = BY_KEY[key]
    return ("numerator", "denominator") + (("missed",) if kpi.higher_is_better else ()) + \
        (("pending",) if kpi.pending else ()) + tuple(name for name, _, _ in kpi.classes)


def cases_behind(session: Session, key: str, a: Ask, *, part: str = "numerator", by: str | None = None,
                 group: str | None = None, unit: str | None = None, limit: int = 500) -> list[dict]:
    """The cases a figure counts: `part` (see `parts`), per unit with the co-handling parts (role 协办),
    chosen by the same state expressions the figures count with."""
    kpi = BY_KEY[key]
    conditions = [kpi.cohort(a), M.in_stats == true(), scope(unit), _digit(kpi, a).in_(_states(kpi, part))]
    if by:
        conditions.append(GROUPS[by] == group if group is not None else GROUPS[by].is_(None))
    role = case((M.unit.is_not(None), "主办"))
    query = _from(select(M.case_id, M.reg_no, M.unit, M.category, M.channel, role.label("role")), a) \
        .where(*conditions)
    if key == CO_PARTS and (by == "unit" or unit is not None):
        query = query.union_all(_co_cases(a, part, by, group, unit))
    query = query.order_by("case_id", "role").limit(limit)
    return [dict(r._mapping) for r in session.execute(query)]


def _co_cases(a: Ask, part: str, by, group, unit):
    column, where = _co_parts(a, by, unit)
    where.append(_co_digit(a).in_(_states(BY_KEY[CO_PARTS], part)))
    if by:
        where.append(column == group if group is not None else column.is_(None))
    return select(M.case_id, M.reg_no, U.unit, M.category, M.channel, literal("协办").label("role")) \
        .select_from(U).join(M, M.case_id == U.case_id).where(*where)
