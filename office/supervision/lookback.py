"""回头看 after a 交办 (seed 000: "15天内适时开展'回头看'，对进展不力的再次督办交办").

When a case is assigned (交办) to a unit, a "lookback" timer row is set `lookback_days` later
(the escalation ladder's data, default 15). When it fires, the director gets a 回头看 task; the
answer 进展不力 records a 再次督办 in the supervision ledger and issues the case's next numbered
督办函 to the unit's open dated step. The later 回头看 after the reply (the diagram's) is another
matter and stays as it is.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.projection import record
from engine.store.models import Case, HumanTask, Timer
from office.supervision import ladder
from office.supervision.entries import add_entry
from office.supervision.messages import notify
from processes.calendar import end_of_day, local_day

FORM = "lookback_check"
PREFIX = "lookback_check:"
STALLED = "进展不力"
DECISION_DAYS = 5


def step_hook(ladder_on):
    """Arms the 回头看 when a 交办 reaches the unit (its 签收 step opens)."""
    def hook(session: Session, case: Case, data: dict, step) -> None:
        for row in step.opened:
            if row.bpmn_id == "unit_sign" and data.get("mode") == "交办":
                days = ladder_on(local_day(step.now)).lookback_days
                at = end_of_day(local_day(step.now) + timedelta(days=days))
                session.add(Timer(case_id=case.id, task_uuid=row.task_uuid, bpmn_id="lookback", kind="lookback",
                                  due_at=at, status="waiting", created_at=step.now, attempts=0,
                                  payload={"unit": data.get("lead_unit"), "days": days}))
                if case.next_due_at is None or at < case.next_due_at:
                    case.next_due_at = at
    return hook


def fire(session: Session, timer_id: int, now: datetime) -> str | None:
    """Opens the director's 回头看 task, once (the row is locked and re-checked)."""
    timer = session.get(Timer, timer_id, with_for_update=True, populate_existing=True)
    if timer is None or timer.status != "waiting" or timer.due_at > now:
        return None
    timer.status, timer.fired_at, timer.lock_owner, timer.lock_expires_at = "fired", now, None, None
    case = session.get(Case, timer.case_id)
    unit = (timer.payload or {}).get("unit")
    text = f"回头看：{case.reg_no or case.id}「{case.subject or ''}」交办{(timer.payload or {}).get('days', '')}日，核查办理进展"
    session.add(HumanTask(case_id=case.id, task_uuid=str(uuidlib.uuid4()), bpmn_id=f"{PREFIX}{case.id}", kind="lookback",
                          name=text[:256], lane="director", groups="director", state="open", created_at=now,
                          priority=70, due_at=end_of_day(local_day(now) + timedelta(days=DECISION_DAYS)),
                          form_key=FORM, reg_no=case.reg_no, subject=case.subject or "", unit=unit))
    notify(session, case.id, None, "escalation", text, now, group="director")
    record(session, case.id, "lookback_due", actor="scheduler", at=now, message=text, data={"unit": unit})
    return "lookback"


def checked(documents):
    """The close hook of a 回头看 task: 进展不力 → 再次督办 (ledger row and numbered 督办函)."""
    def hook(session: Session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
        progress, note = data.get("progress"), str(data.get("note") or "").strip()
        if progress not in ("进展正常", STALLED) or not note:
            raise ValidationFailed("say how the case progresses, with a note",
                                   [{"field": "progress", "message": "required"}])
        record(session, task.case_id, "lookback_checked", actor=user, at=now, message=f"回头看：{progress}。{note}",
               data={"progress": progress, "unit": task.unit})
        if progress != STALLED:
            return
        step = _unit_step(session, task.case_id, task.unit)
        document_id = ladder.issue_letter(session, documents, step, now, user) if step is not None else None
        add_entry(session, task.case_id, "再次督办", local_day(now), user, task.unit, "回头看发现进展不力，再次督办",
                  note, now, document_id=document_id)
    return hook


def _unit_step(session: Session, case_id: int, unit: str | None) -> HumanTask | None:
    steps = session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "open",
                                                    HumanTask.kind == "bpmn", HumanTask.due_at.is_not(None))
                            .order_by(HumanTask.due_at))
    return next((t for t in steps if unit and unit in (t.unit or "").split(",")), None)

