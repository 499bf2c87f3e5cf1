"""The infrastructure every handler may ask for by keyword-only parameter name: the step's clock
and the case it runs on. Features register more (lookups, documents, deadline tables).

The engine builds these per step from the step's own session, so whatever a handler writes
commits or rolls back with the step.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from engine.steps import Dependency


@dataclass(frozen=True)
class Clock:
    """The step's instant; `today()` is the office's calendar day in its time zone."""

    instant: datetime
    zone: tzinfo

    def now(self) -> datetime:
        return self.instant

    def today(self) -> date:
        return self.instant.astimezone(self.zone).date()


@dataclass(frozen=True)
class CaseInfo:
    id: int
    reg_no: str | None
    process_key: str
    version: int
    created_at: datetime


def core_dependencies(zone: tzinfo) -> dict[str, Dependency]:
    return {
        "clock": Dependency(lambda session, case, now, actor: Clock(now, zone)),
        "case": Dependency(lambda session, case, now, actor: CaseInfo(case.id, case.reg_no, case.process_key,
                                                               case.definition_version, case.created_at)),
    }
