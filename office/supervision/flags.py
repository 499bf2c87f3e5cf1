"""Flags that act. Registration marks a petition 紧急 (urgent), 领导批示 (instructed), 越级访
(skip_level) or 敏感 (sensitive); here the first two open work for the director beside the
workflow, once per case:

- 紧急: the director is told at once and gets a task (紧急信访事项处置) due the same day, to record
  the measures taken (Art. 25); the triage deadline itself is shortened by the deadline table's
  `route_urgent` rule (handlers/deadlines.py).
- 领导批示: the petition came with a leader's 批示; the director gets a task to answer it
  (答复领导批示, due in 15 days), whose answer is recorded on the case.

越级访 and 敏感 only show (an inbox badge) and are counted (the dashboard); see office/inbox and
office/kpi/dashboard.py.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.errors import ValidationFailed
from engine.projection import record
from engine.store.models import Case, HumanTask
from office.supervision.messages import notify
from processes.calendar import end_of_day, local_day

# flag -> (task kind, task name, form, days to do it, what the director is told)
ACTING = {
    "urgent": ("urgent", "紧急信访事项处置", "urgent_check", 0, "紧急信访事项，请即处置"),
    "instructed": ("instructed", "答复领导批示（登记时附批示）", "instruction_answer", 15, "信访事项附有领导批示，请答复"),
}
SHOWN = ("urgent", "skip_level", "sensitive")           # the inbox badges, in this order


def step_hook(session: Session, case: Case, data: dict, step=None) -> None:
    """A StepRunner hook: a flagged case gets its director task and notice on its first step
    (registration), and never a second one (the task's id names the case and the flag)."""
    flagged = [flag for flag in ACTING if data.get(flag) is True]
    if not flagged:
        return
    have = set(session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.case_id == case.id, HumanTask.bpmn_id.in_([f"{f}:{case.id}" for f in flagged]))))
    now = utcnow()
    for flag in flagged:
        if f"{flag}:{case.id}" in have:
            continue
        kind, name, form, days, text = ACTING[flag]
        task = HumanTask(case_id=case.id, task_uuid=str(uuidlib.uuid4()), bpmn_id=f"{flag}:{case.id}", kind=kind,
                         name=name, lane="director", groups="director", state="open", created_at=now,
                         priority=95 if flag == "urgent" else 80,
                         due_at=end_of_day(local_day(now) + timedelta(days=days)), form_key=form,
                         reg_no=case.reg_no, subject=case.subject or "", category=case.category)
        session.add(task)
        session.flush()
        notify(session, case.id, task, "escalation", f"{text}：{case.reg_no or case.id}「{(case.subject or '')[:100]}」", now)
        record(session, case.id, f"{flag}_raised", actor="system", at=now, message=f"{name}：已告知信访办主任",
               task_uuid=task.task_uuid, bpmn_id=task.bpmn_id)


def urgent_handled(session: Session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
    """The close hook of the urgent task: the measures go on the case's timeline."""
    measures = data.get("measures")
    if not isinstance(measures, str) or not measures.strip():
        raise ValidationFailed("record the measures taken", [{"field": "measures", "message": "required"}])
    record(session, task.case_id, "urgent_handled", actor=user, at=now, message=f"紧急处置：{measures.strip()}",
           task_uuid=task.task_uuid)


def instruction_answered(session: Session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
    """The close hook of the answer to a 批示 that came with the petition."""
    answer = data.get("answer")
    if not isinstance(answer, str) or not answer.strip():
        raise ValidationFailed("write the answer to the 批示", [{"field": "answer", "message": "required"}])
    record(session, task.case_id, "instruction_answered", actor=user, at=now, message=f"答复领导批示：{answer.strip()}",
           task_uuid=task.task_uuid)
