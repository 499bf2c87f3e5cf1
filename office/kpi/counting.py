"""纳入统计: whether a case enters the figures. Triage sets it by rule (processes.routing:
涉法涉诉 sent into the courts' own procedures is not counted), into the case data; the director
may change it on the case, with a reason, and that decision stands over the rule."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.errors import ValidationFailed
from engine.projection import record as audit
from engine.store import repository
from office.access import check_can_decide, check_case_visible
from office.kpi.tables import StatsDecision

EVENT = "in_stats_changed"
MAX_REASON = 1000
RULE_SOURCE, DIRECTOR_SOURCE = "分流规则", "主任决定"


class Counting:
    def __init__(self, core, on_change: Callable[[Session, int], None]):
        self.core = core
        self.on_change = on_change

    def set_counted(self, case_id: int, counted: bool, *, user: str, reason: str) -> dict:
        """The director counts a case in the figures or leaves it out; the reason is kept with the
        decision and in the case's audit trail. The figures follow at once."""
        if not isinstance(counted, bool):
            raise ValidationFailed("纳入统计 is yes or no", [{"field": "counted", "message": "yes or no"}])
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason or len(reason) > MAX_REASON:
            raise ValidationFailed(f"say why (a reason of 1 to {MAX_REASON} characters)",
                                   [{"field": "reason", "message": "required"}])
        with self.core.uow() as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            case = repository.get_case(session, case_id)
            check_case_visible(actor, case, session)
            check_can_decide(actor)
            now = utcnow()
            row = session.get(StatsDecision, case.id)
            before = row.counted if row else None
            if row is None:
                row = StatsDecision(case_id=case.id)
                session.add(row)
            row.counted, row.reason, row.decided_by, row.decided_at = counted, reason, user, now
            audit(session, case.id, EVENT, actor=user, at=now, message=reason,
                  data={"counted": counted, "previous": before})
            session.flush()
            self.on_change(session, case.id)
            uow.commit()
            return decision_dict(row)


def decision_dict(row: StatsDecision) -> dict:
    """A decision of the system is the triage rule recorded for a case from before it existed."""
    source = RULE_SOURCE if row.decided_by == "system" else DIRECTOR_SOURCE
    return {"counted": row.counted, "source": source, "basis": row.reason, "decided_by": row.decided_by,
            "decided_at": row.decided_at.isoformat()}


def counting_of(session: Session, case_id: int, data: dict) -> dict:
    """纳入统计 as it stands: the director's decision, else the rule applied at triage (in the
    data), else counted (a case triage has not decided yet, or one of an older process)."""
    row = session.scalar(select(StatsDecision).where(StatsDecision.case_id == case_id))
    if row is not None:
        return decision_dict(row)
    counted = data.get("in_stats", True) is not False
    return {"counted": counted, "source": RULE_SOURCE, "basis": str(data.get("in_stats_basis") or ""),
            "decided_by": None, "decided_at": None}
