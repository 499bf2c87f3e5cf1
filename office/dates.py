"""Dates as the office reads them: a calendar month, and instants on the office's clock.

The office's time zone has one home (Settings.timezone, applied by the composition root to
processes.calendar); everything here reads it from there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from engine.clock import utcnow
from engine.errors import ValidationFailed
from processes import calendar
from processes.due import last_day as due_last_day, standing

YEARS = (2000, 2199)        # dates outside are typing mistakes (and would overflow the arithmetic)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month on the office's clock, e.g. Month.parse("2026-10")."""

    year: int
    month: int

    @classmethod
    def parse(cls, value: str, field: str = "month") -> "Month":
        """'2026-10' (a real month in a plausible year), or ValidationFailed naming the field."""
        match = _MONTH.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ValidationFailed(f"{field} must look like 2026-10, not {value!r}",
                                   [{"field": field, "message": "not a month"}])
        found = cls(int(match.group(1)), int(match.group(2)))
        if not YEARS[0] <= found.year <= YEARS[1]:
            raise ValidationFailed(f"{field} must lie between {YEARS[0]} and {YEARS[1]}")
        return found

    @classmethod
    def of(cls, instant: datetime) -> "Month":
        day = calendar.local_day(instant)
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> "Month":
        return cls.of(utcnow())

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[1st 00:00, next 1st 00:00) on the office's clock, as UTC: a due date at 24:00 of the
        last day falls inside its own month."""
        return calendar.start_of_day(self.first_day), calendar.start_of_day(self.next().first_day)

    def shift(self, months: int) -> "Month":
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def next(self) -> "Month":
        return self.shift(1)

    def previous(self) -> "Month":
        return self.shift(-1)

    def label(self) -> str:
        """How a person reads it: 2026年10月."""
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    return [first.shift(i) for i in range(last.year * 12 + last.month - first.year * 12 - first.month + 1)]


def local_time(value: datetime | str | None) -> datetime | None:
    """An instant (or its ISO text) on the office's clock, for display."""
    if not value:
        return None
    return calendar.local(datetime.fromisoformat(value) if isinstance(value, str) else value)


def local_midnight(day: date) -> datetime:
    """00:00 of a local day, as UTC (the start of a date range a person typed)."""
    return calendar.start_of_day(day)


def deadline(due: datetime | str | None, now: datetime | None = None) -> dict | None:
    """A deadline as people read it (processes.due, the one rule): {last_day, overdue,
    working_days, due_today} at `now` (the office's clock by default)."""
    if not due:
        return None
    return standing(due, now or utcnow()).as_dict()


def last_day(due: datetime | str | None) -> date | None:
    """The last day of a deadline stored as 24:00 of that day."""
    return due_last_day(due) if due else None
