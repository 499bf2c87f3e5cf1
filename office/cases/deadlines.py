"""Deadlines of a case: the table in force when it was registered (a handler dependency), and
provisional deadlines in the audit trail.

When a deadline falls in a year whose holidays nobody has loaded yet (chinese-calendar does not
know it and there is no processes/calendars/<year>.json), set_deadline computes it on weekends
only and writes a note to data["deadline_notes"]. This step hook puts each new note into the
case's audit trail once (kind "deadline_provisional"), so the guess is visible in the history,
not only in the case data.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import projection
from engine.store.models import Case, CaseEvent
from processes import deadlines
from processes.calendar import local_day

KIND = "deadline_provisional"


def provisional_deadline_hook(session: Session, case: Case, data: dict, step) -> None:
    notes = data.get("deadline_notes") or {}
    if not notes:
        return
    seen = set(session.scalars(select(CaseEvent.message).where(CaseEvent.case_id == case.id,
                                                                CaseEvent.kind == KIND)))
    projection.record_many(session, [
        {"case_id": case.id, "kind": KIND, "actor": step.action.actor, "at": step.now, "task_uuid": None,
         "bpmn_id": None, "message": note, "data": {"deadline": name}}
        for name, note in sorted(notes.items()) if note not in seen])


def table_dependency(jurisdiction: str):
    """The `deadlines` handler dependency: a case keeps the limits in force when it was registered."""
    def table(session: Session, case: Case, now: datetime, actor: str) -> deadlines.DeadlineTable:
        return deadlines.load_table(jurisdiction, on=local_day(case.created_at or now))
    return table


def reminder_offsets(jurisdiction: str):
    """Days before a due date that reminders go out, from the deadline table's rule."""
    def offsets(name: str) -> tuple[int, ...] | None:
        try:
            return deadlines.load_table(jurisdiction).rule(name).reminders
        except KeyError:
            return None
    return offsets


def rule_days(jurisdiction: str, name: str):
    """(case) -> the days of rule `name` in the table the case keeps (None: that table has no such
    rule); for figures that count a period from a milestone, as the 一次性化解 window."""
    @lru_cache(maxsize=128)
    def on(day: date) -> int | None:
        try:
            return deadlines.load_table(jurisdiction, on=day).rule(name).days
        except KeyError:
            return None

    def days(case: Case) -> int | None:
        return on(local_day(case.created_at)) if case.created_at else on(None)
    return days
