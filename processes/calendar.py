"""Day arithmetic of statutory periods (《民法典》Art. 201, 203) on China's official calendar.

* The start day is not counted: a period of n days from the trigger ends on day n after it.
* A period whose last day is a rest day or statutory holiday ends on the next working day.
* Working-day periods skip weekends and holidays and count make-up working days (调休).
* Periods end at 24:00 of their last day (see `end_of_day`).

Holidays come from the maintained package chinese-calendar, which knows the years of the State
Council's published notices. A year it does not know can be supplied by the office as
processes/calendars/<year>.json ({"holidays": [...], "workdays": [...]}, ISO dates), copied
from that year's notice. Otherwise the year is *unknown*: strict calendars raise
OutsideCalendar; lenient ones fall back to weekends only and remember the year, so the caller
can say that the date is provisional.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar import constants

_zone = ZoneInfo("Asia/Shanghai")      # the office's time zone; the composition root sets it from Settings
OVERRIDES = Path(__file__).resolve().parent / "calendars"
KNOWN = (min(d.year for d in constants.holidays), max(d.year for d in constants.holidays))
MAX_DAYS = 3660


class OutsideCalendar(ValueError):
    """The holidays of this year are not known yet."""


@lru_cache(maxsize=64)
def _override(year: int, directory: Path = OVERRIDES) -> tuple[frozenset[date], frozenset[date]] | None:
    path = directory / f"{year}.json"
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return (frozenset(date.fromisoformat(d) for d in doc.get("holidays", [])),
            frozenset(date.fromisoformat(d) for d in doc.get("workdays", [])))


@lru_cache(maxsize=8192)
def _library_workday(day: date) -> bool:
    """chinese-calendar scans its holiday tables on every call (about 25 µs); an inbox page counts
    the working days left for 50 tasks, up to 60 days each."""
    return chinese_calendar.is_workday(day)


class OfficeCalendar:
    """`lenient=True` replaces an unknown year by weekends only and records it in `approximated`."""

    def __init__(self, *, lenient: bool = False, overrides: Path = OVERRIDES):
        self.lenient = lenient
        self.overrides = overrides
        self.approximated: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        override = _override(day.year, self.overrides)
        if override is not None:
            holidays, workdays = override
            return day in workdays or (day.weekday() < 5 and day not in holidays)
        if KNOWN[0] <= day.year <= KNOWN[1]:
            return _library_workday(day)
        if not self.lenient:
            raise OutsideCalendar(
                f"the holidays of {day.year} are not known (chinese-calendar covers {KNOWN[0]}–{KNOWN[1]}); "
                f"add processes/calendars/{day.year}.json from the State Council's notice")
        self.approximated.add(day.year)
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_DAYS} days of {day}")

    def add_days(self, start: date, days: int) -> date:
        """Natural days; the last day moves off rest days and holidays."""
        _check(days)
        return self.next_working_day(start + timedelta(days=days))

    def add_working_days(self, start: date, days: int) -> date:
        _check(days)
        day, left = start, days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day


def _check(days: int) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
        raise ValueError(f"a period must be 0..{MAX_DAYS} whole days, not {days!r}")


def use_zone(name: str) -> None:
    """The office's time zone (Settings.timezone): every local day and 24:00 is counted in it."""
    global _zone
    _zone = ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone


def local(instant: datetime) -> datetime:
    """An instant on the office's clock."""
    return instant.astimezone(_zone)


def local_day(instant: datetime) -> date:
    return instant.astimezone(_zone).date()


def start_of_day(day: date) -> datetime:
    """00:00 of `day` on the office's clock, as aware UTC."""
    return datetime.combine(day, time(0), _zone).astimezone(timezone.utc)


def end_of_day(day: date) -> datetime:
    """24:00 of `day` on the office's clock (the instant a period runs out), as aware UTC."""
    return start_of_day(day + timedelta(days=1))


_STRICT = OfficeCalendar()
add_days = _STRICT.add_days
add_working_days = _STRICT.add_working_days
is_working_day = _STRICT.is_working_day
