"""KPI service methods: figures and the cases behind each figure, scoped by who asks."""
from __future__ import annotations

from datetime import datetime

from . import kpi
from .access import Actor
from .clock import utcnow
from .errors import NotAllowed, ValidationFailed

KPI_GROUPS = frozenset({"director", "leader", "analyst", "admin"})


class KpiServices:
    def _kpi_scope(self, actor: Actor) -> str | None:
        if actor.groups & KPI_GROUPS:
            return None
        if actor.unit:
            return actor.unit
        raise NotAllowed("figures are for the office leadership, analysts and handling units")

    @staticmethod
    def _kpi_args(start: datetime, end: datetime, by: str | None) -> None:
        if start >= end:
            raise ValidationFailed("the period must end after it starts")
        if by is not None and by not in kpi.GROUPS:
            raise ValidationFailed(f"unknown grouping {by!r}; use one of {', '.join(sorted(kpi.GROUPS))}")

    def kpis(self, actor: Actor, start: datetime, end: datetime, *, by: str | None = None) -> list[dict]:
        """Every KPI of the period; unit staff get their own unit's figures only."""
        self._kpi_args(start, end, by)
        unit = self._kpi_scope(actor)
        with self.uow(write=False) as uow:
            return kpi.figures(uow.session, start, end, utcnow(), by=by, unit=unit)

    def kpi_cases(self, actor: Actor, key: str, start: datetime, end: datetime, *, part: str = "numerator",
                  by: str | None = None, group: str | None = None) -> list[dict]:
        """Drill-down: the cases a figure counts (ids and register numbers, no identities)."""
        self._kpi_args(start, end, by)
        if key not in kpi.BY_KEY:
            raise ValidationFailed(f"unknown KPI {key!r}")
        if part not in ("numerator", "denominator", "missed"):
            raise ValidationFailed("part must be numerator, denominator or missed")
        unit = self._kpi_scope(actor)
        with self.uow(write=False) as uow:
            return kpi.cases_behind(uow.session, key, start, end, utcnow(), part=part, by=by, group=group, unit=unit)
