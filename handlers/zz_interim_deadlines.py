"""Interim stand-ins for `set_deadline` and `issue_document` until helper "deadlines" delivers them.

Loaded last (module name), they register only when no real handler of that name exists, so the
real ones win as soon as they are merged; then this module should be deleted. Natural days (and
plain Monday–Friday for working days), no holiday calendar, and documents are only recorded.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from handlers.registry import _HANDLERS, handler

LOCAL = ZoneInfo("Asia/Shanghai")
DAYS = {"route": 15, "unit_objection": 5, "handle": 60, "extension": 30, "evaluate": 30, "review_request": 30,
        "review_decision": 30, "recheck_request": 30, "recheck_decision": 30, "lookback": 15, "legal_study": 30}
WORKING = {"unit_objection"}


def _end_of_day(d: date) -> str:
    local = datetime.combine(d + timedelta(days=1), time(0), LOCAL)
    return local.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _add(start: date, days: int, working: bool) -> date:
    if not working:
        return start + timedelta(days=days)
    d = start
    while days:
        d += timedelta(days=1)
        days -= d.weekday() < 5
    return d


def _start(start: str, data: dict, clock) -> date:
    if not start:
        return clock.today()
    known = {**(data.get("deadlines") or {}), **(data.get("milestones") or {})}
    value = known.get(start, start)
    return datetime.fromisoformat(value).astimezone(LOCAL).date() if "T" in value else date.fromisoformat(value)


def set_deadline(name: str, start: str = "", *, data, clock) -> dict:
    if name not in DAYS:
        raise ValueError(f"unknown deadline {name!r}")
    begin = _start(start, data, clock)
    if start in (data.get("deadlines") or {}):
        begin -= timedelta(days=1)      # a deadline ends at 24:00 of its day: count on from that day
    due = _add(begin, DAYS[name], name in WORKING)
    return {"deadlines": {**(data.get("deadlines") or {}), name: _end_of_day(due)}}


def issue_document(kind: str, *, data, clock) -> dict:
    return {"documents": {**(data.get("documents") or {}), kind: f"pending:{clock.now().isoformat()}"}}


for _name, _fn in (("set_deadline", set_deadline), ("issue_document", issue_document)):
    if _name not in _HANDLERS:
        handler(_name)(_fn)
