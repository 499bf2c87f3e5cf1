"""What each KPI counts (docs/kpi.md): its cohort, numerator, cases not yet due and classes of
the missed, as SQL conditions over case_metrics. Each KPI is anchored on one instant whose period
puts a case in its cohort, so the same definition serves one period (`office.kpi.figures`) and a
trend's months (`office.kpi.months`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import aliased

from office.kpi.definitions import BY_KEY as DEFINED, HIGHER
from office.kpi.months import Months
from office.kpi.tables import CaseMetrics as M

GROUPS = {"unit": M.unit, "category": M.category, "region": M.region, "channel": M.channel, "organ": M.organ}
SATISFIED = ("满意", "基本满意")
RATINGS = SATISFIED + ("不满意",)


@dataclass(frozen=True)
class Ask:
    """What one question binds: the period [start, end) and the instant figures are taken at."""
    start: datetime
    end: datetime
    now: datetime
    back: object = None        # the came-back subquery, built by `ask`
    month: Months | None = None   # a trend's months: [start, end) spans them all


EVENT, DUE, BEFORE = "event", "due", "before"     # how a KPI's anchor instant places a case in a period


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    anchor: object          # the instant whose period puts a case in the cohort
    hit: Callable           # (Ask) -> SQL condition within the cohort: the numerator
    kind: str = EVENT       # EVENT: anchor in [start, end); DUE: in (start, end]; BEFORE: anchor < end
    where: Callable | None = None     # (Ask) -> the cohort's other conditions, the same in every period
    pending: Callable | None = None   # (Ask) -> within the cohort, outside the hit: not yet due
    classes: tuple = ()     # (key, label, (Ask) -> condition): named parts of the missed
    hit_label: str = ""     # the numerator's name among the classes
    since: object = None    # a hit counts only from this instant on (before the period end)

    @property
    def higher_is_better(self) -> bool:
        return DEFINED[self.key].direction == HIGHER

    def cohort(self, a: Ask):
        """Every case the KPI looks at in the period; in a trend, in any month (the anchor's
        place among the months, `_by_month`, says which)."""
        if a.month is not None:
            period = self.anchor.is_not(None)
        else:
            period = {EVENT: _within, DUE: _due_within, BEFORE: _before}[self.kind](self.anchor, a)
        return and_(period, self.where(a)) if self.where is not None else period

    def scored(self, a: Ask):
        """The hit in the period: with `since`, only once that instant is before the period end
        (in a trend, `_by_month` compares the instant's place with the month)."""
        if self.since is None or a.month is not None:
            return self.hit(a)
        return and_(self.hit(a), self.since < a.end)


def _within(column, a: Ask):
    return and_(column >= a.start, column < a.end)


def _before(column, a: Ask):
    return column < a.end


def _due_within(column, a: Ask):
    """Deadlines end at 24:00 local (16:00Z), which is the next period's first instant: a due
    time belongs to the period whose last day it ends, hence (start, end]."""
    return and_(column > a.start, column <= a.end)


def _ahead(column, a: Ask):
    """A deadline (24:00 of its last day) that has not run out at `now`."""
    return column > a.now


def came_back():
    """初件 a 重件 came back to after 办结 and within the case's window (none: any time after):
    a small joined set, outer-joined to the scan (a hash join, not a per-row subquery)."""
    repeat, main = aliased(M), aliased(M)
    return (select(repeat.main_case_id.label("main_id")).join(main, main.case_id == repeat.main_case_id)
            .where(repeat.is_repeat == true(), repeat.registered_at > main.done_at,
                   or_(main.window_end.is_(None), repeat.registered_at <= main.window_end))
            .distinct().subquery("came_back"))


def _accepted_in_time(a: Ask):
    """First accepted at any level (the office's decision or the unit's acceptance) by the deadline."""
    return or_(M.accepted_at <= M.route_due, M.unit_accepted_at <= M.route_due)


def _not_accepted(a: Ask):
    return and_(M.accepted_at.is_(None), M.unit_accepted_at.is_(None))


def _no_repeat(a: Ask):
    return a.back.c.main_id.is_(None)


KPIS = (
    Kpi("timely_acceptance", "及时受理率", M.route_due, _accepted_in_time, DUE,
        pending=lambda a: and_(_not_accepted(a), _ahead(M.route_due, a)), hit_label="及时",
        classes=(("accepted_late", "超期受理", lambda a: ~_not_accepted(a)),
                 ("not_accepted", "超期未受理", lambda a: and_(_not_accepted(a), ~_ahead(M.route_due, a))))),
    Kpi("unit_timely_acceptance", "及时受理率（单位）", M.unit_accept_due,
        lambda a: M.unit_accepted_at <= M.unit_accept_due, DUE, lambda a: M.unit.is_not(None),
        pending=lambda a: and_(M.unit_accepted_at.is_(None), _ahead(M.unit_accept_due, a)), hit_label="按时签收",
        classes=(("signed_late", "超期签收", lambda a: M.unit_accepted_at.is_not(None)),
                 ("not_signed", "超期未签收", lambda a: M.unit_accepted_at.is_(None)))),
    Kpi("on_time_closure", "按期办结率", M.handle_due, lambda a: M.done_at <= M.handle_due, DUE,
        pending=lambda a: and_(M.done_at.is_(None), _ahead(M.handle_due, a)), hit_label="按期办结",
        classes=(("closed_late", "超期办结", lambda a: M.done_at.is_not(None)),
                 ("open_overdue", "超期未办结", lambda a: M.done_at.is_(None)))),
    Kpi("evaluation_rate", "参评率", M.evaluation_due, lambda a: M.evaluated_at.is_not(None), DUE,
        pending=lambda a: and_(M.evaluated_at.is_(None), M.evaluation_lapsed == false(),
                               _ahead(M.evaluation_due, a))),
    Kpi("satisfaction", "满意率", M.evaluated_at, lambda a: M.rating.in_(SATISFIED),
        where=lambda a: M.rating.in_(RATINGS)),
    Kpi("unit_satisfaction", "满意率（单位）", M.evaluated_at, lambda a: M.unit_rating.in_(SATISFIED),
        where=lambda a: and_(M.unit_rating.in_(RATINGS), M.unit.is_not(None))),
    Kpi("repeat_rate", "重复信访率", M.registered_at, lambda a: M.is_repeat == true()),
    Kpi("first_time_resolution", "一次性化解率", M.done_at,
        lambda a: and_(_no_repeat(a), or_(M.window_end.is_(None), ~_ahead(M.window_end, a))),
        where=lambda a: M.is_repeat == false(), pending=lambda a: and_(_no_repeat(a), _ahead(M.window_end, a))),
    # 化解: the case's 化解 record stands at 已化解, and has since before the period end
    Kpi("backlog_resolution", "积案化解率", M.registered_at, lambda a: M.resolved == true(), BEFORE,
        lambda a: M.backlog == true(), since=M.resolved_at),
    Kpi("key_case_resolution", "包案化解率", M.registered_at, lambda a: M.resolved == true(),
        where=lambda a: M.key_case == true(), since=M.resolved_at),
    Kpi("online_share", "网信占比", M.registered_at, lambda a: M.channel == "网信"),
)
BY_KEY = {k.key: k for k in KPIS}
CO_PARTS = "on_time_closure"      # the one figure a co-handling (协办) unit is credited with


def scope(unit: str | None):
    """Unit staff count only the cases their unit leads, never reports against their own unit
    (Art. 30); their co-handling parts come from unit_metrics (`_co_sums`)."""
    if unit is None:
        return true()
    return and_(M.unit == unit, or_(M.accused_unit.is_(None), M.accused_unit != unit))
