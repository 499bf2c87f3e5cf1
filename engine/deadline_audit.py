"""Provisional deadlines in the audit trail.

When a deadline falls in a year whose holidays nobody has loaded yet (chinese-calendar does not
know it and there is no processes/calendars/<year>.json), set_deadline computes it on weekends
only and writes a note to data["deadline_notes"]. This step hook puts each new note into the
case's audit trail once (kind "deadline_provisional"), so the guess is visible in the history,
not only in the case data.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import projection
from .models import Case, CaseEvent

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
