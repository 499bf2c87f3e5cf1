"""Infrastructure handlers may ask for by keyword-only parameter name.

The engine builds these per step from the step's own session, so whatever a
handler writes commits or rolls back with the step.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .models import Case

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Clock:
    """The step's instant; `today()` is the office's calendar day (Asia/Shanghai)."""

    instant: datetime

    def now(self) -> datetime:
        return self.instant

    def today(self) -> date:
        return self.instant.astimezone(LOCAL).date()


@dataclass(frozen=True)
class CaseInfo:
    id: int
    reg_no: str | None
    process_key: str
    version: int
    created_at: datetime


DependencyFactory = Callable[[Session, Case, datetime, str], Any]   # (session, case, now, actor)


def core_factories() -> dict[str, DependencyFactory]:
    return {
        "clock": lambda session, case, now, actor: Clock(now),
        "case": lambda session, case, now, actor: CaseInfo(case.id, case.reg_no, case.process_key,
                                                    case.definition_version, case.created_at),
    }
