"""KPI service methods: figures and the cases behind each figure, scoped by who asks."""
from __future__ import annotations

import re
from datetime import datetime

from . import kpi, kpi_report
from .access import Actor
from .clock import utcnow
from .errors import NotAllowed, ValidationFailed

REPORT_GROUPS = ("", "unit", "category", "region", "channel")
KPI_GROUPS = frozenset({"director", "leader", "analyst", "admin"})


class KpiServices:
    def _kpi_scope(self, session, user: str | Actor) -> str | None:
        actor = user if isinstance(user, Actor) else self._actor(session, user)
        if actor.groups & KPI_GROUPS:
            return None
        if actor.unit:
            return actor.unit
        raise NotAllowed("figures are for the office leadership, analysts and handling units")

    def kpis_of_month(self, user: str | Actor, month: str, *, by: str | None = None) -> dict:
        """The figures of one calendar month (Asia/Shanghai), e.g. '2026-10'."""
        start, end = _month(month)
        return {"month": month, "from": start.isoformat(), "to": end.isoformat(),
                "figures": self.kpis(user, start, end, by=by)}

    def kpi_report(self, user: str | Actor, month: str) -> dict[str, bytes]:
        """The month's figures, overall and by unit, category, region and channel, as .xlsx and .docx."""
        tables = {by: self.kpis_of_month(user, month, by=by or None)["figures"] for by in REPORT_GROUPS}
        return {"xlsx": kpi_report.workbook(month, tables), "docx": kpi_report.document(month, tables)}

    @staticmethod
    def _kpi_args(start: datetime, end: datetime, by: str | None) -> None:
        if start >= end:
            raise ValidationFailed("the period must end after it starts")
        if by is not None and by not in kpi.GROUPS:
            raise ValidationFailed(f"unknown grouping {by!r}; use one of {', '.join(sorted(kpi.GROUPS))}")

    def kpis(self, user: str | Actor, start: datetime, end: datetime, *, by: str | None = None) -> list[dict]:
        """Every KPI of the period; unit staff get their own unit's figures only."""
        self._kpi_args(start, end, by)
        with self.uow(write=False) as uow:
            unit = self._kpi_scope(uow.session, user)
            return kpi.figures(uow.session, start, end, utcnow(), by=by, unit=unit)

    def kpi_cases(self, user: str | Actor, key: str, start: datetime, end: datetime, *, part: str = "numerator",
                  by: str | None = None, group: str | None = None) -> list[dict]:
        """Drill-down: the cases a figure counts (ids and register numbers, no identities)."""
        self._kpi_args(start, end, by)
        if key not in kpi.BY_KEY:
            raise ValidationFailed(f"unknown KPI {key!r}")
        if part not in ("numerator", "denominator", "missed"):
            raise ValidationFailed("part must be numerator, denominator or missed")
        with self.uow(write=False) as uow:
            unit = self._kpi_scope(uow.session, user)
            return kpi.cases_behind(uow.session, key, start, end, utcnow(), part=part, by=by, group=group, unit=unit)


def _month(month: str) -> tuple[datetime, datetime]:
    if not isinstance(month, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValidationFailed(f"month must look like 2026-10, not {month!r}")
    return kpi.month_bounds(month)
