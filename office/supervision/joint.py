"""Joint meetings (联席会议, 协调会) on a case handled by several units: the director records the
day, the units that took part, the decision and who does what. Each named unit gets a task beside
the workflow (kind "joint", like the supervision tasks of the ladder) to carry out its share; the
task closes through the inbox's close hook, which records what the unit did on the duty and tells
the director. The seeds' cross-unit cases were otherwise only parallel opinions.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.core import Core
from engine.errors import NotAllowed, ValidationFailed
from engine.projection import record
from engine.store import repository
from engine.store.models import Case, HumanTask
from office.access import check_case_visible
from office.directory.names import Names
from office.supervision.messages import notify
from office.supervision.tables import JointDuty, JointMeeting
from processes.calendar import end_of_day, local_day

KINDS = ("联席会议", "协调会")
FORM = "joint_task"
DUTY_DAYS = 15                  # a duty is due 15 days after the meeting unless the meeting says otherwise
RECORDERS = frozenset({"director", "admin"})


class JointMeetings:
    def __init__(self, core: Core):
        self.core = core

    def record_meeting(self, case_id: int, *, user: str, kind: str, held_on: str, units: list[str],
                       decision: str, duties: list[dict]) -> dict:
        """`units`: the case's units that took part (at least two); `duties`: [{unit, duty,
        due_on?}], each unit one of the participants. Each duty opens a task for its unit."""
        if kind not in KINDS:
            raise ValidationFailed(f"the meeting is a {' or a '.join(KINDS)}", [{"field": "kind", "message": "unknown"}])
        _check_text(decision, "decision")
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            if not actor.groups & RECORDERS:
                raise NotAllowed("only the director records a joint or coordination meeting")
            case = repository.get_case(session, case_id)
            check_case_visible(actor, case, session)
            day = _day(held_on, now, "held_on", past=True)
            taking_part = _participants(case, units)
            if not duties:
                raise ValidationFailed("say who does what (at least one unit's task)",
                                       [{"field": "duties", "message": "required"}])
            meeting = JointMeeting(case_id=case.id, kind=kind, held_on=day, units=",".join(taking_part),
                                   decision=decision.strip(), recorded_by=actor.username, recorded_at=now)
            session.add(meeting)
            session.flush()
            names = Names(session)
            made = [self._duty(session, case, meeting, item, taking_part, names, now) for item in duties]
            record(session, case.id, "joint_meeting", actor=actor.username, at=now,
                   message=f"{kind}（{day.isoformat()}，{names.units(meeting.units)}）：{meeting.decision}",
                   data={"meeting": meeting.id, "units": taking_part})
            result = _meeting_dict(meeting, made, names)
            uow.commit()
            return result

    def _duty(self, session: Session, case: Case, meeting: JointMeeting, item: dict, taking_part: list[str],
              names: Names, now: datetime) -> JointDuty:
        unit, duty = item.get("unit"), item.get("duty")
        if unit not in taking_part:
            raise ValidationFailed("a task goes to one of the units that took part",
                                   [{"field": "duties", "message": f"{unit!r} did not take part"}])
        _check_text(duty, "duties")
        due = _day(item.get("due_on"), now, "due_on", past=False) if item.get("due_on") \
            else local_day(now) + timedelta(days=DUTY_DAYS)
        task = HumanTask(case_id=case.id, task_uuid=str(uuidlib.uuid4()), bpmn_id=f"joint:{meeting.id}",
                         kind="joint", name=f"落实{meeting.kind}决定：{duty.strip()[:200]}", lane="unit_staff",
                         groups="unit_staff", state="open", created_at=now, priority=70, due_at=end_of_day(due),
                         form_key=FORM, reg_no=case.reg_no, subject=case.subject or "", unit=unit)
        session.add(task)
        row = JointDuty(meeting_id=meeting.id, unit=unit, duty=duty.strip(), task_uuid=task.task_uuid)
        session.add(row)
        session.flush()
        notify(session, case.id, task, "escalation",
               f"{meeting.kind}决定，请{names.units(unit)}落实：{case.reg_no or case.id}「{duty.strip()[:100]}」", now)
        return row

    def done(self, session: Session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
        """The close hook of a duty's task: what the unit did goes on the duty; the director hears."""
        result = data.get("result")
        if not isinstance(result, str) or not result.strip():
            raise ValidationFailed("say what was done", [{"field": "result", "message": "required"}])
        row = session.scalars(select(JointDuty).where(JointDuty.task_uuid == task.task_uuid)).first()
        if row is None:
            return
        row.result, row.done_by, row.done_at = result.strip(), user, now
        unit = Names(session).units(row.unit)
        record(session, task.case_id, "joint_duty_done", actor=user, at=now, message=f"{unit}落实：{result.strip()}",
               data={"duty": row.id, "unit": row.unit})
        notify(session, task.case_id, None, "escalation", f"{unit}已落实会议决定：{task.reg_no or ''}「{result.strip()[:100]}」",
               now, group="director")

    def of_case(self, case_id: int, *, user: str) -> list[dict]:
        """The case's meetings, each with its duties and how they stand (units by name)."""
        with self.core.uow(write=False) as uow:
            session = uow.session
            check_case_visible(self.core.actor(session, user), repository.get_case(session, case_id), session)
            names = Names(session)
            meetings = list(session.scalars(select(JointMeeting).where(JointMeeting.case_id == case_id)
                                            .order_by(JointMeeting.held_on, JointMeeting.id)))
            duties = list(session.scalars(select(JointDuty).where(JointDuty.meeting_id.in_([m.id for m in meetings]))
                                          .order_by(JointDuty.id))) if meetings else []
            return [_meeting_dict(m, [d for d in duties if d.meeting_id == m.id], names) for m in meetings]


def _participants(case: Case, units) -> list[str]:
    case_units = [u for u in (case.unit or "").split(",") if u]
    chosen = list(dict.fromkeys(u for u in (units or []) if isinstance(u, str) and u))
    if len(chosen) < 2 or any(u not in case_units for u in chosen):
        raise ValidationFailed("a joint meeting brings together at least two of the case's units",
                               [{"field": "units", "message": "at least two of the case's units"}])
    return chosen


def _check_text(value, field: str, most: int = 4000) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        raise ValidationFailed(f"{field} is required (at most {most} characters)",
                               [{"field": field, "message": "required"}])


def _day(value, now: datetime, field: str, *, past: bool) -> date:
    """A meeting is held today or before; a duty is due today or after."""
    if not value:
        return local_day(now)
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"{field} must be a date like 2026-03-02",
                               [{"field": field, "message": "not a date"}]) from None
    if (day > local_day(now)) if past else (day < local_day(now)):
        raise ValidationFailed(f"{field} cannot be in the {'future' if past else 'past'}",
                               [{"field": field, "message": "out of range"}])
    return day


def _meeting_dict(m: JointMeeting, duties: list[JointDuty], names: Names) -> dict:
    return {"id": m.id, "case_id": m.case_id, "kind": m.kind, "held_on": m.held_on.isoformat(),
            "unit_names": [names.units(u) for u in m.units.split(",") if u], "decision": m.decision,
            "recorded_by_name": names.person(m.recorded_by),
            "duties": [{"id": d.id, "unit": d.unit, "unit_name": names.units(d.unit), "duty": d.duty,
                        "task_id": d.task_uuid, "result": d.result, "done": d.done_at is not None,
                        "done_at": d.done_at.isoformat() if d.done_at else None} for d in duties]}
