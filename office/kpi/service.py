"""KPI service methods: figures and the cases behind each figure, scoped by who asks."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from engine.store.models import Case
from office.kpi import figures as kpi, ledger as kpi_ledger, report as kpi_report
from office.kpi.tables import CaseMetrics
from office.access import KPI_READERS, Actor, withhold_reports
from engine.clock import utcnow
from engine.errors import NotAllowed, ValidationFailed
from office.dates import Month, months_between

FIRST_TIME_RULE = "first_time_resolution"
REPORT_GROUPS = ("", "unit", "category", "region", "channel")
REPORT_STEPS = len(REPORT_GROUPS) + 2
COUNTED_FLAGS = ("skip_level", "sensitive", "urgent", "instructed")


class Kpi:
    def __init__(self, core, referrals: Callable | None = None):
        self.core = core
        self.referrals = referrals     # (session, start, end) -> by deputy and by station (office.deputies)

    def scope(self, session, user: str | Actor) -> str | None:
        actor = user if isinstance(user, Actor) else self.core.actor(session, user)
        if actor.groups & KPI_READERS:
            return None
        if actor.unit:
            return actor.unit
        raise NotAllowed("figures are for the office leadership, analysts and handling units")

    def flag_counts(self, user: str | Actor, start: datetime, end: datetime) -> dict[str, int]:
        """How many petitions registered in [start, end) carry each flag that is counted in reports
        (越级访, 敏感, 紧急, 领导批示), from the cases' projected facts; unit staff count their own unit's."""
        self._kpi_args(start, end, None)
        with self.core.uow(write=False) as uow:
            unit = self.scope(uow.session, user)
            q = (select(Case.facts).join(CaseMetrics, CaseMetrics.case_id == Case.id)
                 .where(CaseMetrics.registered_at >= start, CaseMetrics.registered_at < end))
            if unit is not None:
                q = q.where(CaseMetrics.unit == unit)
            counts = dict.fromkeys(COUNTED_FLAGS, 0)
            for facts in uow.session.scalars(q):
                for flag in COUNTED_FLAGS:
                    counts[flag] += bool((facts or {}).get(flag) is True)
            return counts

    def referral_counts(self, user: str | Actor, start: datetime, end: datetime) -> dict | None:
        """代表转交 made in [start, end), by deputy and by liaison station (names), for the readers of
        every unit's figures; None for a unit's staff, whose figures are their own unit's."""
        self._kpi_args(start, end, None)
        with self.core.uow(write=False) as uow:
            if self.scope(uow.session, user) is not None or self.referrals is None:
                return None
            found = self.referrals(uow.session, start, end)
            return {**found, "total": sum(r["referrals"] for r in found["by_deputy"])}

    def kpis_of_month(self, user: str | Actor, month: str, *, by: str | None = None) -> dict:
        """The figures of one calendar month (Asia/Shanghai), e.g. '2026-10'."""
        start, end = Month.parse(month).bounds()
        return {"month": month, "from": start.isoformat(), "to": end.isoformat(),
                "figures": self.kpis(user, start, end, by=by)}

    def kpi_report(self, user: str | Actor, month: str, *,
                   progress: Callable[[int], None] | None = None) -> dict[str, bytes]:
        """The month's figures, overall and by unit, category, region and channel, as .xlsx and .docx,
        each with the definitions in an appendix; the document's trend chart covers the six months
        up to this one. `progress(done)` is called after each of the REPORT_STEPS steps, for a
        job's progress bar."""
        step = progress or (lambda done: None)
        tables = {}
        for done, by in enumerate(REPORT_GROUPS, start=1):
            tables[by] = self.kpis_of_month(user, month, by=by or None)["figures"]
            step(done)
        trend = self.kpi_trend(user, str(Month.parse(month).shift(1 - REPORT_TREND_MONTHS)), month)
        referrals = self.referral_counts(user, *Month.parse(month).bounds())
        files = {"xlsx": kpi_report.workbook(month, tables, referrals)}
        step(len(REPORT_GROUPS) + 1)
        files["docx"] = kpi_report.document(month, tables, trend, referrals)
        step(REPORT_STEPS)
        return files

    @staticmethod
    def _ask(start: datetime, end: datetime, now: datetime) -> kpi.Ask:
        """The 一次性化解 window is on each case's row (the `first_time_resolution` rule of the
        deadline table it keeps), so the question binds the period and the moment only."""
        return kpi.ask(start, end, now)

    @staticmethod
    def _kpi_args(start: datetime, end: datetime, by: str | None) -> None:
        if start >= end:
            raise ValidationFailed("the period must end after it starts")
        if by is not None and by not in kpi.GROUPS:
            raise ValidationFailed(f"unknown grouping {by!r}; use one of {', '.join(sorted(kpi.GROUPS))}")

    def kpis(self, user: str | Actor, start: datetime, end: datetime, *, by: str | None = None) -> list[dict]:
        """Every KPI of the period; unit staff get their own unit's figures only."""
        self._kpi_args(start, end, by)
        with self.core.uow(write=False) as uow:
            unit = self.scope(uow.session, user)
            return kpi.figures(uow.session, self._ask(start, end, utcnow()), by=by, unit=unit)

    def kpi_cases(self, user: str | Actor, key: str, start: datetime, end: datetime, *, part: str = "numerator",
                  by: str | None = None, group: str | None = None) -> list[dict]:
        """Drill-down: the cases a figure counts (ids and register numbers, no identities)."""
        self._kpi_args(start, end, by)
        if key not in kpi.BY_KEY:
            raise ValidationFailed(f"unknown KPI {key!r}")
        parts = kpi.parts(key)
        if part not in parts:
            raise ValidationFailed(f"part must be one of {', '.join(parts)}")
        with self.core.uow(write=False) as uow:
            unit = self.scope(uow.session, user)
            return kpi.cases_behind(uow.session, key, self._ask(start, end, utcnow()), part=part, by=by,
                                    group=group, unit=unit)


    def kpi_trend(self, user: str | Actor, start_month: str, end_month: str, *, by: str | None = None) -> list[dict]:
        """Every KPI month by month, "YYYY-MM" to "YYYY-MM" inclusive: each item is a kpis() row
        with its "month"; a month counts exactly what kpis_of_month counts."""
        months = _months(start_month, end_month)
        self._kpi_args(*Month.parse(start_month).bounds(), by)
        with self.core.uow(write=False) as uow:
            unit, now = self.scope(uow.session, user), utcnow()
            spans = [(month, *Month.parse(month).bounds()) for month in months]
            return kpi.trend(uow.session, spans, now, by=by, unit=unit)

    def overdue_ledger(self, user: str | Actor, start: datetime, end: datetime) -> list[dict]:
        """The 交办督办 ledger: per unit, the items assigned (交办) in [start, end) and where they
        stand now, then a total row with unit None (see office.kpi.ledger)."""
        self._kpi_args(start, end, None)
        with self.core.uow(write=False) as uow:
            unit = self.scope(uow.session, user)
            return kpi_ledger.ledger(uow.session, start, end, utcnow(), unit=unit)

    def ledger_cases(self, user: str | Actor, unit: str | None, column: str, start: datetime, end: datetime, *,
                     page: int = 1, per_page: int = 50) -> dict:
        """The items behind one ledger cell (petitioners masked); `unit` None is the total row."""
        self._kpi_args(start, end, None)
        if column not in kpi_ledger.COLUMNS:
            raise ValidationFailed(f"unknown ledger column {column!r}; use one of {', '.join(kpi_ledger.COLUMNS)}")
        page, per_page = _paging(page, per_page)
        with self.core.uow(write=False) as uow:
            own = self.scope(uow.session, user)
            if unit is not None and (not isinstance(unit, str) or not kpi_ledger.known_unit(uow.session, unit)):
                raise ValidationFailed(f"unknown unit {unit!r}")
            if own is not None and unit not in (None, own):
                raise NotAllowed("unit staff see their own unit's ledger only")
            found = kpi_ledger.ledger_cases(uow.session, column, start, end, utcnow(), unit=unit or own,
                                            page=page, per_page=per_page)
            actor = user if isinstance(user, Actor) else self.core.actor(uow.session, user)
            return {**found, "items": withhold_reports(uow.session, actor, found["items"])}


MAX_PER_PAGE, MAX_MONTHS, REPORT_TREND_MONTHS = 200, 120, 6


def _paging(page, per_page) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise ValidationFailed("page and per_page must be whole numbers") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationFailed(f"page must be 1 or more and per_page between 1 and {MAX_PER_PAGE}")
    return page, per_page


def _months(first: str, last: str) -> list[str]:
    months = months_between(Month.parse(first, "first month"), Month.parse(last, "last month"))
    if not months:
        raise ValidationFailed("the last month must not come before the first")
    if len(months) > MAX_MONTHS:
        raise ValidationFailed(f"a trend covers at most {MAX_MONTHS} months")
    return [str(m) for m in months]
