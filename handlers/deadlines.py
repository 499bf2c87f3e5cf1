"""Statutory deadlines computed into case data, where timers (deadline("x")), task due dates
(dueDeadline="x"), reminders and KPIs read them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from processes.calendar import OfficeCalendar, local_day, zone
from processes.deadlines import DeadlineTable

from .registry import handler


@handler("set_deadline")
def set_deadline(name: str, start: str = "", days: int | None = None, *, data: dict, clock,
                 deadlines: DeadlineTable) -> dict:
    """`start`: "" for now, the name of a deadline or milestone in data, or an ISO date/time.
    A period counted from another deadline (an extension) starts on that deadline's last day.
    `days` shortens the rule (an extension of less than the 30 allowed), never lengthens it."""
    rule = deadlines.rule(name)
    if days is not None and not (isinstance(days, int) and 0 < days <= rule.days):
        raise ValueError(f"{rule.label}: {days!r} days is not allowed (1..{rule.days})")
    calendar = OfficeCalendar(lenient=True)
    due = deadlines.due_at(name, _start(start, data, clock.now()), calendar, days)
    result = {"deadlines": {**(data.get("deadlines") or {}), name: due.isoformat()}}
    notes = dict(data.get("deadline_notes") or {})
    if calendar.approximated:
        years = "、".join(str(y) for y in sorted(calendar.approximated))
        notes[name] = (f"{years}年节假日安排尚未收录，{rule.label}暂按周末推算为 "
                       f"{local_day(due) - timedelta(days=1):%Y-%m-%d}，请核对国务院放假通知")
    elif notes.pop(name, None) is None:
        return result
    result["deadline_notes"] = notes      # a recomputed exact deadline is no longer provisional
    return result


def _start(start: str, data: dict, now: datetime) -> datetime:
    if not start:
        return now
    earlier = (data.get("deadlines") or {}).get(start)
    if earlier:
        return datetime.fromisoformat(earlier) - timedelta(microseconds=1)   # the deadline's own last day
    milestone = (data.get("milestones") or {}).get(start)
    value = milestone or start
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"start {start!r} is neither a deadline, a milestone nor an ISO date") from None
    if parsed.tzinfo is None:
        parsed = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time(), zone()) \
            if len(value) == 10 else parsed.replace(tzinfo=zone())
    return parsed
