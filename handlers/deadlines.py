"""Statutory deadlines computed into case data, where timers (deadline("x")), task due dates
(dueDeadline="x"), reminders and KPIs read them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from processes.calendar import OfficeCalendar, end_of_day, local_day, zone
from processes.deadlines import DeadlineTable

from .registry import handler


@handler("set_deadline")
def set_deadline(name: str, start: str = "", days: int | None = None, *, data: dict, clock,
                 deadlines: DeadlineTable) -> dict:
    """`start`: "" for now, the name of a deadline or milestone in data, or an ISO date/time.
    A period counted from another deadline (an extension) starts on that deadline's last day.
    `days` shortens the rule (an extension of less than the 30 allowed), never lengthens it.
    A case flagged 紧急 takes the table's `<name>_urgent` rule when it has one (the triage period
    of Art. 25), written under the same name, so the step's due date and timers read it."""
    key = name
    if data.get("urgent") is True and f"{name}_urgent" in deadlines.rules:
        name = f"{name}_urgent"
    rule = deadlines.rule(name)
    if days is not None and not (isinstance(days, int) and 0 < days <= rule.days):
        raise ValueError(f"{rule.label}: {days!r} days is not allowed (1..{rule.days})")
    calendar = OfficeCalendar(lenient=True)
    due = deadlines.due_at(name, _start(start, data, clock.now()), calendar, days)
    return _written(data, key, due, calendar, rule.label)


@handler("exclude_hearing")
def exclude_hearing(*, data: dict, clock, deadlines: DeadlineTable) -> dict:
    """Hearing days do not count toward the 复核 limit (Art. 36 ¶2): the limit runs from the request
    for its days plus the hearing's, and only then moves off a rest day. (Adding the days to the
    deadline already moved off a weekend overshoots, and can land on a rest day.)"""
    hearing = data.get("hearing_days")
    current = (data.get("deadlines") or {}).get("recheck_decision")
    if not current or not isinstance(hearing, int) or isinstance(hearing, bool) or hearing <= 0:
        return {}
    rule = deadlines.rule("recheck_decision")
    calendar = OfficeCalendar(lenient=True)
    requested = (data.get("milestones") or {}).get("recheck_requested")
    if requested:
        due = deadlines.due_at("recheck_decision", _start(requested, data, clock.now()), calendar,
                               rule.days + hearing)
    else:   # requested before the milestone was recorded: the stored last day, pushed, then moved
        last = local_day(datetime.fromisoformat(current) - timedelta(microseconds=1))
        due = end_of_day(calendar.add_days(last, hearing))
    return _written(data, "recheck_decision", due, calendar, rule.label)


def _written(data: dict, name: str, due: datetime, calendar: OfficeCalendar, label: str) -> dict:
    """The new deadline, and its note when a year's holidays are not known yet."""
    result = {"deadlines": {**(data.get("deadlines") or {}), name: due.isoformat()}}
    notes = dict(data.get("deadline_notes") or {})
    if calendar.approximated:
        years = "、".join(str(y) for y in sorted(calendar.approximated))
        notes[name] = (f"{years}年节假日安排尚未收录，{label}暂按周末推算为 "
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
