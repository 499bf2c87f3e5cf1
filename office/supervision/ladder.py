"""Climbing the escalation ladder (督办阶梯) of one overdue step.

Each dated step has one "escalation" row in the `timer` table. Its payload names the party the
step belongs to ("unit": a 承办/协办 unit's step; "office": the office's own triage, review or
approval step), the ladder version in force when the deadline was set, and how often each rung
has fired. When the row comes due, every rung whose instant has passed fires once, then the row
re-arms at the next rung's instant, in the same transaction. The row is locked (FOR UPDATE) and
its due instant re-checked before anything fires, so two schedulers that both claimed it fire
it once; downtime collapses missed repeats of the letter into one (its number continues).

Rungs (processes/escalation_ladders/): numbered 督办函 to the unit, repeating (an office step gets
a numbered notice to the director instead, never a letter); a notice to the director; the
director's supervision task (约谈, 通报 or 挂牌督办); the leader's list.

A task the office gives a unit beside the workflow (a 代表恳谈会 follow-up) climbs the same ladder;
since no step of the case's own handling shows it, each of its rungs is also a row of the
supervision ledger (督办台账, method 交办事项督办), beside the office's acts on the cases.
"""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.projection import record
from engine.store.models import Case, CaseEvent, HumanTask, Timer
from office.documents.tables import Document
from office.supervision.entries import add_entry
from office.supervision.messages import notify
from office.supervision.tables import SupervisionListing
from processes.calendar import end_of_day, local_day
from processes.due import chinese_deadline, chinese_last_day, standing
from processes.ladders import Ladder, load_ladder
from processes.notices import chinese_date

SUPERVISE_PREFIX = "supervise:"
DECISION_FORM = "supervision_decision"
DECISION_DAYS = 5
UNIT, OFFICE = "unit", "office"
TASK_METHOD = "交办事项督办"          # the ledger's rows for the rungs of a task beside the workflow


def party_of(props: dict | None) -> str:
    """A step whose diagram names a unit (unitKey) or that units' staff work is the unit's; every
    other dated step is the office's."""
    if not props:
        return OFFICE
    groups = {g.strip() for g in str(props.get("candidateGroups") or "").split(",")}
    return UNIT if props.get("unitKey") or "unit_staff" in groups else OFFICE


def arm(session: Session, case: Case, row: HumanTask, ladder: Ladder, party: str, now: datetime,
        fired: dict | None = None) -> None:
    """The escalation row of a dated step, due at its first rung's instant."""
    payload = {"party": party, "ladder": [ladder.jurisdiction, ladder.version], "fired": dict(fired or {})}
    at = next_instant(ladder, row.due_at, payload["fired"])
    if at is None:
        return
    session.add(Timer(case_id=case.id, task_uuid=row.task_uuid, bpmn_id=row.bpmn_id, kind="escalation", due_at=at,
                      status="waiting", created_at=now, attempts=0, payload=payload))
    if case.next_due_at is None or at < case.next_due_at:
        case.next_due_at = at


def next_instant(ladder: Ladder, due: datetime, fired: dict) -> datetime | None:
    """The earliest instant of a rung still to fire (a repeating rung always has one)."""
    instants = [ladder.instance_at(r, due, int(fired.get(r.name, 0)) + 1) for r in ladder.ordered()
                if r.every_days > 0 or not fired.get(r.name)]
    return min(instants, default=None)


def ladder_of(payload: dict) -> Ladder:
    jurisdiction, version = payload.get("ladder") or ["default", None]
    try:
        return load_ladder(jurisdiction, version)
    except KeyError:                 # a version since removed from the data: the current one
        return load_ladder(jurisdiction)


def climb(session: Session, documents, timer_id: int, now: datetime) -> str | None:
    """Fires every rung of one escalation row that is due at `now`; None when it was moot."""
    timer = session.get(Timer, timer_id, with_for_update=True, populate_existing=True)
    if timer is None or timer.status != "waiting" or timer.due_at > now:
        return None                  # another scheduler fired it first, or it was re-dated
    task = session.scalars(select(HumanTask).where(HumanTask.task_uuid == timer.task_uuid)).first()
    if task is None or task.state != "open" or task.due_at is None:
        timer.status, timer.lock_owner, timer.lock_expires_at = "cancelled", None, None
        return None
    payload = dict(timer.payload or {})
    ladder, fired = ladder_of(payload), dict(payload.get("fired") or {})
    for rung in ladder.ordered():
        wanted = ladder.instances_due(rung, task.due_at, now)
        done = int(fired.get(rung.name, 0))
        if wanted > done:
            text = RUNGS[rung.name](session, documents, task, payload.get("party", UNIT), now)
            fired[rung.name] = wanted      # missed repeats collapse into this one firing
            if task.kind != "bpmn":
                add_entry(session, task.case_id, TASK_METHOD, local_day(now), "scheduler", task.unit,
                          text, "", now)
    timer.payload = {**payload, "fired": fired}
    timer.fired_at, timer.lock_owner, timer.lock_expires_at = now, None, None
    following = next_instant(ladder, task.due_at, fired)
    if following is None:
        timer.status = "fired"
    else:
        timer.due_at = following
    return "escalation"


# -- the rungs ----------------------------------------------------------------------------------
def _overdue_text(task: HumanTask, now: datetime) -> str:
    return f"{task.reg_no or ''}「{task.name}」{chinese_deadline(task.due_at, now)}"


def _letter(session, documents, task: HumanTask, party: str, now: datetime) -> str:
    if party == OFFICE:              # the office's own step: the director hears, no letter goes out
        text = f"本办超期第{_sequence(session, task, 'office_overdue') + 1}次提醒：{_overdue_text(task, now)}"
        notify(session, task.case_id, None, "escalation", text, now, group="director")
        record(session, task.case_id, "office_overdue", actor="scheduler", at=now, message=text,
               task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"due_at": task.due_at.isoformat()})
        return text
    return _send_letter(session, documents, task, now, "scheduler")[1]


def issue_letter(session: Session, documents, task: HumanTask, now: datetime, actor: str) -> int | None:
    """The case's next numbered 督办函 to the unit of an open dated step (the ladder's, or the
    office's 书函催办); the unit is told. Returns the document's id."""
    return _send_letter(session, documents, task, now, actor)[0]


def _send_letter(session: Session, documents, task: HumanTask, now: datetime, actor: str) -> tuple[int | None, str]:
    """The letter's document id (None when it could not be issued) and what the unit was told."""
    sequence = _letters_issued(session, task.case_id) + 1
    case = session.get(Case, task.case_id)
    store = documents(session, case, now, actor)
    matter = task.subject if task.kind == "bpmn" else task.name    # a task beside the workflow names its own
    try:
        doc = store.render("督办函", reg_no=task.reg_no or "", subject=matter,
                           unit_name=store.unit_name(task.unit), deadline=chinese_last_day(task.due_at),
                           sequence=sequence, due_at=task.due_at.isoformat(), office=store.office,
                           issued=chinese_date(now))
    except ValidationFailed as refused:   # a fact the letter must state is missing: the case records
        text = f"督办函未能出具（{refused}）：{_overdue_text(task, now)}"   # why; the director chases by hand
        notify(session, task.case_id, None, "escalation", text, now, group="director")
        return None, text
    text = f"督办函（第{sequence}号）：{_overdue_text(task, now)}"
    notify(session, task.case_id, task, "escalation", text, now)
    record(session, task.case_id, "document_issued", actor=actor, at=now, message="督办函",
           task_uuid=task.task_uuid, bpmn_id=task.bpmn_id,
           data={"document_id": getattr(doc, "id", None), "sequence": sequence, "unit": task.unit})
    return getattr(doc, "id", None), text


def _director_notice(session, documents, task: HumanTask, party: str, now: datetime) -> str:
    state = standing(task.due_at, now)
    text = f"督办：{_overdue_text(task, now)}" + ("，已向承办单位发出督办函" if party == UNIT else "（本办办理环节）")
    notify(session, task.case_id, None, "escalation", text, now, group="director")
    record(session, task.case_id, "escalated", actor="scheduler", at=now, message=text, task_uuid=task.task_uuid,
           bpmn_id=task.bpmn_id, data={"overdue_working_days": state.working_days, "party": party})
    return text


def _director_task(session, documents, task: HumanTask, party: str, now: datetime) -> str:
    """The director decides 约谈, 通报 or 挂牌督办 (or to keep chasing) on a supervision task."""
    text = f"督办决定（约谈、通报或挂牌督办）：{_overdue_text(task, now)}"
    bpmn_id = f"{SUPERVISE_PREFIX}{task.bpmn_id}"
    open_one = session.scalars(select(HumanTask).where(HumanTask.case_id == task.case_id, HumanTask.bpmn_id == bpmn_id,
                                                       HumanTask.state == "open")).first()
    if open_one is None:
        session.add(HumanTask(case_id=task.case_id, task_uuid=str(uuidlib.uuid4()), bpmn_id=bpmn_id, kind="supervision",
                              name=text[:256], lane="director", groups="director", state="open", created_at=now,
                              priority=90, due_at=end_of_day(local_day(now) + timedelta(days=DECISION_DAYS)),
                              form_key=DECISION_FORM, reg_no=task.reg_no, subject=task.subject,
                              category=task.category, unit=task.unit, region=task.region, channel=task.channel,
                              petitioner=task.petitioner))
    notify(session, task.case_id, None, "escalation", text, now, group="director")
    record(session, task.case_id, "supervision_task_opened", actor="scheduler", at=now, message=text,
           task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"party": party})
    return text


def _leader_list(session, documents, task: HumanTask, party: str, now: datetime) -> str:
    text = f"列入领导督办清单：{_overdue_text(task, now)}"
    put_on_list(session, task.case_id, "leader", reason=text, actor="scheduler", now=now, task=task)
    notify(session, task.case_id, None, "leader", text, now, group="leader")
    record(session, task.case_id, "leader_listed", actor="scheduler", at=now, message=text,
           task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"party": party})
    return text


RUNGS = {"letter": _letter, "director_notice": _director_notice, "director_task": _director_task,
         "leader_list": _leader_list}


def put_on_list(session: Session, case_id: int, list_name: str, *, reason: str, actor: str, now: datetime,
                task: HumanTask | None = None, unit: str | None = None) -> SupervisionListing:
    """One open listing per case and list: listing again keeps the first."""
    found = session.scalars(select(SupervisionListing).where(SupervisionListing.case_id == case_id,
                                                             SupervisionListing.list_name == list_name,
                                                             SupervisionListing.lifted_at.is_(None))).first()
    if found is not None:
        return found
    row = SupervisionListing(case_id=case_id, list_name=list_name, task_uuid=task.task_uuid if task else None,
                             step_name=task.name if task else "", unit=task.unit if task else unit,
                             due_at=task.due_at if task else None, reason=reason, listed_at=now, listed_by=actor)
    session.add(row)
    return row


def _letters_issued(session: Session, case_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Document)
                          .where(Document.case_id == case_id, Document.kind == "督办函")) or 0


def _sequence(session: Session, task: HumanTask, kind: str) -> int:
    return session.scalar(select(func.count()).select_from(CaseEvent)
                          .where(CaseEvent.case_id == task.case_id, CaseEvent.kind == kind)) or 0
