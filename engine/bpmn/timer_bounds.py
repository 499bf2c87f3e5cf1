"""Sane bounds for timer values, checked at deploy and again when a timer is evaluated.

SpiffWorkflow turns a duration into days month by month (`calendar.monthrange` in a loop), so
"P99999999999Y" loops for hours inside a step with its transaction open, and "P1000000Y" or
"PT99999999999999H" overflow `timedelta`. Every value is therefore measured on the parsed
numbers, before the library computes anything: a duration or a cycle's period of at most
10 years, a date from 2000 to 10 years ahead.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

MAX_YEARS = 10
MAX_DAYS = MAX_YEARS * 366                     # an upper bound, whatever the months' lengths
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
_UPPER_DAYS = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
               "seconds": 1 / 86400}


class TimerOutOfRange(ValueError):
    """A timer value that is not ISO 8601 or lies outside the bounds above."""


def duration_parts(text: str) -> dict:
    """The library's parse of an ISO 8601 duration, refused when it may span more than 10 years."""
    if not isinstance(text, str) or len(text) > 64:
        raise TimerOutOfRange(f"{str(text)[:64]!r} is not valid ISO 8601 (a duration such as \"P15D\")")
    try:
        parts = TimerEventDefinition.parse_iso_duration(text)
    except Exception as err:      # the library raises bare Exceptions for bad ISO strings
        raise TimerOutOfRange(f"{text!r} is not valid ISO 8601 (a duration such as \"P15D\")") from err
    if not text.upper().startswith("P") or not parts:
        raise TimerOutOfRange(f"{text!r} is not valid ISO 8601 (a duration such as \"P15D\")")
    span = sum(value * _UPPER_DAYS[name] for name, value in parts.items())
    if span > MAX_DAYS:
        raise TimerOutOfRange(f"duration {text!r} is longer than {MAX_YEARS} years")
    return parts


def checked_date(text: str, now: datetime) -> datetime:
    """An ISO 8601 date-time with a UTC offset, from 2000 to 10 years after `now`."""
    try:
        value = datetime.fromisoformat(text) if isinstance(text, str) and len(text) <= 64 else None
    except ValueError:
        value = None
    if value is None:
        raise TimerOutOfRange(f"{str(text)[:64]!r} is not valid ISO 8601 (a date-time such as 2026-12-01T00:00:00+08:00)")
    if value.tzinfo is None:
        raise TimerOutOfRange(f"timer date {text!r} has no UTC offset; write e.g. {text}+08:00")
    if value < EARLIEST or value > now + timedelta(days=MAX_DAYS):
        raise TimerOutOfRange(f"timer date {text!r} is before 2000 or more than {MAX_YEARS} years ahead")
    return value


def checked_cycle(text: str, now: datetime, max_cycles: int) -> int:
    """The number of repetitions of an ISO 8601 repeating interval (R3/PT1H, R2/<start>/P1D),
    each part checked as above before the library reads it."""
    parts = text.upper().replace("--", "/").split("/") if isinstance(text, str) and len(text) <= 160 else []
    if len(parts) not in (2, 3) or not parts[0].startswith("R"):
        raise TimerOutOfRange(f"{str(text)[:160]!r} is not valid ISO 8601 (a repeating interval such as R3/P7D)")
    count = parts[0][1:]
    if count and (not count.isdigit() or len(count) > 6):
        raise TimerOutOfRange(f"{text!r} is not valid ISO 8601 (a repeating interval such as R3/P7D)")
    cycles = int(count) if count else -1
    if cycles < 0 or cycles > max_cycles:
        raise TimerOutOfRange(f"timer cycle {text!r} repeats {'forever' if cycles < 0 else cycles} times; at most "
                              f"R{max_cycles} is allowed (reminders belong to the scheduler's policies)")
    periods = [p for p in parts[1:] if p.startswith("P")]
    if len(periods) != 1:
        raise TimerOutOfRange(f"timer cycle {text!r} needs exactly one period such as P1D")
    duration_parts(periods[0])
    original = text.split("/") if "/" in text else text.replace("--", "/").split("/")
    for part in original[1:]:
        if not part.upper().startswith("P"):
            checked_date(part, now)
    try:
        TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception as err:
        raise TimerOutOfRange(f"{text!r} is not valid ISO 8601 (a repeating interval such as R3/P7D)") from err
    return cycles


def check(kind: str, value, now: datetime, max_cycles: int) -> None:
    """TimerOutOfRange unless `value` is a usable timeDate, timeDuration or timeCycle value."""
    if kind == "timeDate":
        checked_date(value, now)
    elif kind == "timeDuration":
        duration_parts(value)
    else:
        checked_cycle(value, now, max_cycles)
