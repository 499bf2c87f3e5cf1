"""The one writer of the supervision ledger's rows (督办台账): the office's own acts (ledger.py), the
再次督办 of a 回头看 (lookback.py) and the ladder's rungs on a task the office gave beside the
workflow (ladder.py) all go through it, so every row is also an event on the case's timeline."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from engine.projection import record
from office.supervision.tables import SupervisionEntry


def add_entry(session: Session, case_id: int, method: str, day: date, actor: str, unit: str | None,
              outcome: str, note: str, now: datetime, *, meeting_id: int | None = None,
              document_id: int | None = None) -> SupervisionEntry:
    entry = SupervisionEntry(case_id=case_id, method=method, acted_on=day, actor=actor, unit=unit,
                             outcome=outcome.strip(), note=(note or "").strip(), meeting_id=meeting_id,
                             document_id=document_id, recorded_at=now)
    session.add(entry)
    session.flush()
    record(session, case_id, "supervision_action", actor=actor, at=now, message=f"{method}：{entry.outcome}",
           data={"entry": entry.id, "method": method, "unit": unit, "acted_on": day.isoformat()})
    return entry
