"""化解 (resolution) as a recorded outcome of each case: recorded by the steps whose forms declare
it (the reply, the on-the-spot answer, the rating, the 复查 and 复核 decisions), set or corrected by
the director with a reason. Figures (docs/kpi.md) count a case as resolved only when its latest
decision is 已化解; nothing recorded is not resolved.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.errors import ValidationFailed
from engine.projection import record as audit
from engine.store import repository
from engine.store.models import Case
from office.access import check_can_decide, check_case_visible
from office.resolution import record
from processes.routing import RESOLUTIONS

OUTCOMES = RESOLUTIONS
EVENT = "resolution_set"
MAX_REASON = 1000

Changed = Callable[[Session, int], None]      # told when a case's 化解 changed (the KPI projection)


class Resolutions:
    def __init__(self, core, on_change: Changed | None = None):
        self.core = core
        self.on_change = on_change or (lambda session, case_id: None)

    def set_resolution(self, case_id: int, outcome: str, *, user: str, reason: str) -> dict:
        """The director sets or corrects a case's 化解; the reason goes into the record and the
        case's audit trail. Returns the case's 化解 as it now stands."""
        if outcome not in OUTCOMES:
            raise ValidationFailed(f"化解情况 must be one of {', '.join(OUTCOMES)}",
                                   [{"field": "outcome", "message": "unknown"}])
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason or len(reason) > MAX_REASON:
            raise ValidationFailed(f"say why (a reason of 1 to {MAX_REASON} characters)",
                                   [{"field": "reason", "message": "required"}])
        with self.core.uow() as uow:
            session = uow.session
            case = self._case(session, case_id, user)
            before = record.standing(session.connection(), case.id)
            now = utcnow()
            record.add(session.connection(), case.id, outcome, source=record.DIRECTOR_SOURCE, by=user, at=now,
                       reason=reason)
            audit(session, case.id, EVENT, actor=user, at=now, message=reason,
                  data={"outcome": outcome, "previous": before.outcome if before else None})
            self.on_change(session, case.id)
            found = record.standing(session.connection(), case.id)
            uow.commit()
            return found.as_dict()

    def _case(self, session: Session, case_id: int, user: str) -> Case:
        actor = self.core.actor(session, user)
        case = repository.get_case(session, case_id)
        check_case_visible(actor, case, session)
        check_can_decide(actor)
        return case

    def step_hook(self, session: Session, case: Case, data: dict, step) -> None:
        """A StepRunner hook: a completed task whose form recorded `resolution` adds a decision,
        by whoever completed it, at that time."""
        found = record.from_step(step) if step is not None else None
        if found is None:
            return
        record.add(session.connection(), case.id, found["outcome"], source=found["source"], by=found["by"],
                   at=found["at"], bpmn_id=found["bpmn_id"])
        self.on_change(session, case.id)


def resolution_of(session: Session, case_id: int) -> dict:
    """The case's 化解 now (None if never recorded) and its history, for the case page."""
    connection = session.connection()
    found = record.standing(connection, case_id)
    return {"current": found.as_dict() if found else None, "history": record.history(connection, case_id),
            "outcomes": list(OUTCOMES)}
