"""领导包案: the director names a leader (a user of the leaders' group) for a case, with a reason;
the leader has a list of their cases with the deadlines that stand, and records 批示 that the
handling unit sees as a task and must answer. 包案化解率 counts the cases that have a leader
(the KPI row's `key_case`, set through the decisions that stand over the case data).
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.core import Core
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.projection import record
from engine.store import repository
from engine.store.models import Case, HumanTask, User, UserGroup
from office.access import check_case_visible
from office.directory.names import Names
from office.supervision.messages import notify
from office.supervision.tables import KeyCase, LeaderInstruction
from processes.calendar import end_of_day, local_day
from processes.due import chinese_deadline, standing

ANSWER_FORM = "instruction_answer"
ANSWER_DAYS = 15              # the unit answers a 批示 within 15 days (Art. 40 asks for a written answer)
INSTRUCTION_PREFIX = "instruction:"


class KeyCases:
    def __init__(self, core: Core, on_change=None):
        self.core = core
        self.on_change = on_change or (lambda session, case_id: None)    # the KPI row's decided columns

    def assign(self, case_id: int, *, user: str, leader: str, reason: str) -> dict:
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            if not actor.groups & {"director", "admin"}:
                raise NotAllowed("only the director assigns a case to a leader")
            case = repository.get_case(session, case_id)
            if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
                raise ValidationFailed("give the reason for 包案", [{"field": "reason", "message": "required"}])
            try:
                named = self.core.actor(session, leader)
            except NotFound:
                named = None
            if named is None or "leader" not in named.groups:
                raise ValidationFailed("choose a leader (a user of the leaders' group)",
                                       [{"field": "leader", "message": "not a leader"}])
            if _open(session, case_id) is not None:
                raise Conflict("this case already has a leader: end that assignment first")
            session.add(KeyCase(case_id=case_id, leader=leader, reason=reason.strip(), assigned_by=actor.username,
                                assigned_at=now))
            session.flush()
            names = Names(session)
            text = f"领导包案：{case.reg_no or case.id}「{case.subject or ''}」由{names.person(leader)}包案。{reason.strip()}"
            record(session, case_id, "key_case_assigned", actor=actor.username, at=now, message=text,
                   data={"leader": leader})
            notify(session, case_id, None, "leader", text, now, user=leader)
            self.on_change(session, case_id)
            uow.commit()
            return {"case_id": case_id, "leader": leader, "leader_name": names.person(leader)}

    def my_cases(self, *, user: str) -> list[dict]:
        """A leader's own cases, each with its open steps' earliest deadline and unanswered 批示."""
        with self.core.uow(write=False) as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            if "leader" not in actor.groups:
                raise NotAllowed("this list is a leader's own")
            rows = session.execute(select(KeyCase, Case).join(Case, Case.id == KeyCase.case_id)
                                   .where(KeyCase.leader == actor.username, KeyCase.ended_at.is_(None))
                                   .order_by(KeyCase.assigned_at)).all()
            names = Names(session)
            return [_my_case(session, k, c, names, now) for k, c in rows]

    def instruct(self, case_id: int, *, user: str, text: str) -> dict:
        """The case's leader records a 批示; the lead unit gets a task to answer it."""
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            case = repository.get_case(session, case_id)
            owner = _open(session, case_id)
            if owner is None or owner.leader != actor.username:
                raise NotAllowed("only the case's own leader records an instruction on it")
            if not isinstance(text, str) or not text.strip() or len(text) > 4000:
                raise ValidationFailed("write the 批示", [{"field": "text", "message": "required"}])
            unit = (case.unit or "").split(",")[0] or None
            if unit is None:
                raise Conflict("the case has no handling unit yet to answer a 批示")
            task = _answer_task(case, unit, text.strip(), now)
            session.add(task)
            row = LeaderInstruction(case_id=case_id, leader=actor.username, text=text.strip(), given_at=now,
                                    unit=unit, task_uuid=task.task_uuid)
            session.add(row)
            session.flush()
            record(session, case_id, "leader_instruction", actor=actor.username, at=now,
                   message=f"领导批示：{text.strip()}", data={"instruction": row.id, "unit": unit})
            notify(session, case_id, task, "leader", f"领导批示，请答复：{case.reg_no or case.id}「{text.strip()[:100]}」", now)
            uow.commit()
            return {"id": row.id, "task_id": task.task_uuid, "unit": unit}

    def answered(self, session: Session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
        """The close hook of an answer task: the answer goes on the 批示, and the leader hears."""
        answer = data.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            raise ValidationFailed("write the answer to the 批示", [{"field": "answer", "message": "required"}])
        row = session.scalars(select(LeaderInstruction).where(LeaderInstruction.task_uuid == task.task_uuid)).first()
        if row is None:
            return
        row.answer, row.answered_by, row.answered_at = answer.strip(), user, now
        record(session, task.case_id, "instruction_answered", actor=user, at=now, message=f"答复领导批示：{answer.strip()}",
               data={"instruction": row.id})
        notify(session, task.case_id, None, "leader", f"单位已答复批示：{task.reg_no or ''}「{answer.strip()[:100]}」", now,
               user=row.leader)

    def panel(self, case_id: int, *, user: str) -> dict:
        """What the case page shows of 包案: the leader and reason, the 批示 with their answers, and
        what this user may do (the director assigns, the case's leader instructs)."""
        given = self.instructions(case_id, user=user)
        with self.core.uow(write=False) as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            owner, names = _open(session, case_id), Names(session)
            can_assign = owner is None and bool(actor.groups & {"director", "admin"})
            leaders = []
            if can_assign:
                leaders = [(u.username, u.display_name or u.username) for u in session.scalars(
                    select(User).join(UserGroup, UserGroup.user_id == User.id)
                    .where(UserGroup.group_name == "leader", User.is_active.is_(True)).order_by(User.username))]
            return {"leader_name": names.person(owner.leader) if owner else "", "reason": owner.reason if owner else "",
                    "instructions": given, "can_assign": can_assign, "leaders": leaders,
                    "can_instruct": bool(owner and owner.leader == actor.username)}

    def instructions(self, case_id: int, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            session = uow.session
            check_case_visible(self.core.actor(session, user), repository.get_case(session, case_id), session)
            names = Names(session)
            rows = session.scalars(select(LeaderInstruction).where(LeaderInstruction.case_id == case_id)
                                   .order_by(LeaderInstruction.id))
            return [{"id": r.id, "leader_name": names.person(r.leader), "text": r.text,
                     "given_at": r.given_at.isoformat(), "unit_name": names.units(r.unit) if r.unit else "",
                     "answer": r.answer, "answered_at": r.answered_at.isoformat() if r.answered_at else None}
                    for r in rows]


def is_key_case(connection, case_id: int) -> bool:
    """For the KPI row: the case has a leader now (包案)."""
    return connection.execute(select(KeyCase.id).where(KeyCase.case_id == case_id, KeyCase.ended_at.is_(None))
                              .limit(1)).first() is not None


def _open(session: Session, case_id: int) -> KeyCase | None:
    return session.scalars(select(KeyCase).where(KeyCase.case_id == case_id, KeyCase.ended_at.is_(None))).first()


def _answer_task(case: Case, unit: str, text: str, now: datetime) -> HumanTask:
    return HumanTask(case_id=case.id, task_uuid=str(uuidlib.uuid4()), bpmn_id=f"{INSTRUCTION_PREFIX}{case.id}",
                     kind="instruction", name=f"答复领导批示：{text[:200]}", lane="unit_staff", groups="unit_staff",
                     state="open", created_at=now, priority=80,
                     due_at=end_of_day(local_day(now) + timedelta(days=ANSWER_DAYS)), form_key=ANSWER_FORM,
                     reg_no=case.reg_no, subject=case.subject or "", unit=unit)


def _my_case(session: Session, key: KeyCase, case: Case, names: Names, now: datetime) -> dict:
    due = session.scalar(select(HumanTask.due_at).where(HumanTask.case_id == case.id, HumanTask.state == "open",
                                                        HumanTask.due_at.is_not(None))
                         .order_by(HumanTask.due_at).limit(1))
    waiting = session.scalars(select(LeaderInstruction.id).where(LeaderInstruction.case_id == case.id,
                                                                 LeaderInstruction.answered_at.is_(None))).all()
    return {"case_id": case.id, "reg_no": case.reg_no, "subject": case.subject or "", "reason": key.reason,
            "assigned_at": key.assigned_at.isoformat(), "unit_name": names.units(case.unit) if case.unit else "",
            "due_at": due.isoformat() if due else None, "deadline": chinese_deadline(due, now) if due else "",
            "overdue": bool(due and standing(due, now).overdue), "unanswered_instructions": len(waiting)}
