"""Reading and writing the 化解 record (ResolutionRecord): the case's 化解 now, since when it has
been resolved, its history, and the step hook that records what a step's form said.

Other features read the record through `standing` and `history` (the KPI projection copies the
current 化解 onto `case_metrics`; the 积案 ledger reads it), never the table's rows directly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from office.resolution.tables import ResolutionRecord as R
from processes.routing import RESOLUTIONS

RESOLVED = RESOLUTIONS[0]            # 已化解: the only outcome a 化解率 counts as resolved
# the form fields a step declares to record it: `resolution` (reply, on-the-spot answer, 复查/复核),
# `revised_resolution` (the rating: optional, so not pre-filled with the reply's value)
FIELDS = ("resolution", "revised_resolution")
DIRECTOR_SOURCE = "主任认定"


@dataclass(frozen=True)
class Standing:
    """The case's 化解 now: the latest decision, and since when the case has stood resolved
    (the first of the unbroken run of 已化解 decisions that ends with the latest), else None."""
    outcome: str
    decided_by: str
    decided_at: datetime
    source: str
    reason: str
    resolved_since: datetime | None

    @property
    def resolved(self) -> bool:
        return self.outcome == RESOLVED

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "resolved": self.resolved, "decided_by": self.decided_by,
                "decided_at": self.decided_at.isoformat(), "source": self.source, "reason": self.reason,
                "resolved_since": self.resolved_since.isoformat() if self.resolved_since else None}


_HISTORY = select(R.outcome, R.decided_by, R.decided_at, R.source, R.reason, R.bpmn_id)


def history(connection, case_id: int) -> list[dict]:
    """Every decision on the case, oldest first."""
    rows = connection.execute(_HISTORY.where(R.case_id == case_id).order_by(R.decided_at, R.id)).mappings()
    return [{**row, "decided_at": row["decided_at"].isoformat()} for row in rows]


def standing(connection, case_id: int) -> Standing | None:
    """The case's 化解 now; None when nothing was ever recorded (then it is not resolved)."""
    rows = connection.execute(_HISTORY.where(R.case_id == case_id).order_by(R.decided_at, R.id)).all()
    if not rows:
        return None
    since = None
    for row in rows:
        since = (since or row.decided_at) if row.outcome == RESOLVED else None
    last = rows[-1]
    return Standing(last.outcome, last.decided_by, last.decided_at, last.source, last.reason or "", since)


def add(connection, case_id: int, outcome: str, *, source: str, by: str, at: datetime, bpmn_id: str | None = None,
        reason: str = "") -> None:
    if outcome not in RESOLUTIONS:
        raise ValueError(f"化解 must be one of {', '.join(RESOLUTIONS)}, not {outcome!r}")
    connection.execute(insert(R), {"case_id": case_id, "outcome": outcome, "source": source[:256],
                                   "bpmn_id": bpmn_id, "decided_by": by[:64], "decided_at": at, "reason": reason})


def from_step(step) -> dict | None:
    """What a completed task's form recorded: {outcome, source, bpmn_id, by, at}, or None. The
    value is the submitted form's own field, so only a step whose form declares it records."""
    action = step.action
    submitted = (action.data or {}) if action.task_uuid else {}
    outcome = next((submitted[f] for f in FIELDS if submitted.get(f) in RESOLUTIONS), None)
    if outcome is None:
        return None
    done = next((row for row in step.closed if row.task_uuid == action.task_uuid and row.state == "completed"), None)
    if done is None:
        return None
    return {"outcome": outcome, "source": done.name or done.bpmn_id, "bpmn_id": done.bpmn_id,
            "by": done.completed_by or action.actor, "at": done.completed_at or step.now}
