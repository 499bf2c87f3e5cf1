"""Reminders (催办) and escalation (督办), kept outside the task tree.

Repeating timers inside BPMN grow SpiffWorkflow's task tree without bound, so each open user
task with a due date gets at most two rows of its own in the `timer` table instead:

* kind "reminder": due at the earliest future offset before the due date (default 15 and 3
  days); when it fires it notifies the assignee (or the task's groups) once, consuming every
  offset already past, so missed reminders collapse into one after downtime;
* kind "escalation": due at the due date; when it fires the task is overdue: the director gets
  a 督办 task (a read-table-only task) and a notification, the leader is told after
  `leaderAfter` escalations, and the row re-arms `escalateEvery` later (default weekly).

Policies come from the user task's extension properties (`reminders="15,3"`,
`escalateEvery="P7D"`, `leaderAfter="3"`, `escalate="false"`), else from the deadline table
rule named by `dueDeadline`, else the defaults. Rows are written by a step hook, so they commit
with the step that opened, re-dated or closed the task.
"""
from __future__ import annotations

import logging
import uuid as uuidlib
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.store.models import Case, HumanTask, HumanTaskGroup, Timer
from processes.due import chinese_deadline, standing
from processes.notices import chinese_date
from engine.bpmn import runtime
from engine.errors import ValidationFailed
from engine.projection import record
from office.supervision.tables import Notification

log = logging.getLogger(__name__)
DEFAULT_REMINDERS = (15, 3)
DEFAULT_EVERY = timedelta(days=7)
DEFAULT_LEADER_AFTER = 3
SUPERVISE_PREFIX = "supervise:"


# -- policy ---------------------------------------------------------------------------------
def policy(props: dict, rule_reminders: tuple[int, ...] | None = None) -> dict:
    offsets = _offsets(props.get("reminders"))
    if offsets is None:
        offsets = tuple(rule_reminders) if rule_reminders is not None else DEFAULT_REMINDERS
    every = DEFAULT_EVERY
    if props.get("escalateEvery"):
        every = runtime.iso_duration(props["escalateEvery"], datetime(2000, 1, 1)) or DEFAULT_EVERY
    try:
        leader_after = max(1, int(props.get("leaderAfter") or DEFAULT_LEADER_AFTER))
    except ValueError:
        leader_after = DEFAULT_LEADER_AFTER
    return {"offsets": sorted(set(offsets), reverse=True), "every_s": int(every.total_seconds()),
            "leader_after": leader_after, "escalate": str(props.get("escalate", "true")).lower() != "false"}


def _offsets(text) -> tuple[int, ...] | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        return tuple(int(p) for p in str(text).split(",") if p.strip())
    except ValueError:
        return None


def _next_reminder(due: datetime, offsets: list[int], now: datetime) -> tuple[datetime | None, list[int]]:
    """The next reminder instant after `now` and the offsets still to come after it."""
    future = [o for o in offsets if due - timedelta(days=o) > now]
    if not future:
        return None, []
    return due - timedelta(days=future[0]), future[1:]


# -- the step hook -----------------------------------------------------------------------------
def step_hook(rule_lookup=None):
    """A StepRunner hook; `rule_lookup(name) -> reminder offsets or None` reads the deadline table."""

    def hook(session: Session, case: Case, data: dict, step) -> None:
        for row in step.closed:
            if row.due_at is not None:      # reminders are only ever armed on a dated task
                _cancel(session, case.id, row.task_uuid)
        for row in step.open_tasks:
            if row.kind != "bpmn":
                continue
            props = getattr(row, "properties", None)
            if row in step.opened:
                if row.due_at is not None and props is not None:
                    rules = rule_lookup(props.get("dueDeadline")) if rule_lookup and props.get("dueDeadline") else None
                    _arm(session, case, row, policy(props, rules), step.now)
            elif getattr(row, "due_changed", False):
                _redate(session, case, row, step.now)
    return hook


def _arm(session: Session, case: Case, row: HumanTask, pol: dict, now: datetime) -> None:
    at, rest = _next_reminder(row.due_at, pol["offsets"], now)
    if at is not None:
        _add(session, case, row, "reminder", at, {**pol, "offsets": rest, "task_due": row.due_at.isoformat()}, now)
    if pol["escalate"]:
        _add(session, case, row, "escalation", row.due_at, {**pol, "count": 0}, now)


def _add(session, case, row, kind, due, payload, now) -> None:
    session.add(Timer(case_id=case.id, task_uuid=row.task_uuid, bpmn_id=row.bpmn_id, kind=kind, due_at=due,
                      status="waiting", created_at=now, attempts=0, payload=payload))
    if case.next_due_at is None or due < case.next_due_at:
        case.next_due_at = due


_CANCEL = (update(Timer).where(Timer.case_id == bindparam("c"), Timer.task_uuid == bindparam("t"),
                               Timer.kind.in_(("reminder", "escalation")), Timer.status == "waiting")
           .values(status="cancelled", lock_owner=None, lock_expires_at=None))


def _cancel(session: Session, case_id: int, task_uuid: str) -> None:
    session.connection().execute(_CANCEL, {"c": case_id, "t": task_uuid})


def _redate(session: Session, case: Case, row: HumanTask, now: datetime) -> None:
    """A moved due date (extension) re-plans the task's reminders and escalation."""
    rows = list(session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.task_uuid == row.task_uuid,
                                                    Timer.kind.in_(("reminder", "escalation")))))
    pol = None
    for timer in rows:
        pol = {k: v for k, v in (timer.payload or {}).items() if k in ("every_s", "leader_after", "escalate")}
        session.delete(timer)
    session.flush()
    if row.due_at is None:
        return
    base = policy({})
    if pol:
        base.update(pol)
    _arm(session, case, row, base, now)


# -- firing ------------------------------------------------------------------------------------
def fire(session: Session, documents, timer_id: int, now: datetime) -> str | None:
    """Fires one leased reminder/escalation row; returns its kind, or None when it was moot."""
    timer = session.get(Timer, timer_id)
    if timer is None or timer.status != "waiting":
        return None
    task = session.scalars(select(HumanTask).where(HumanTask.task_uuid == timer.task_uuid)).first()
    if task is None or task.state != "open":
        timer.status, timer.lock_owner, timer.lock_expires_at = "cancelled", None, None
        return None
    if timer.kind == "reminder":
        _remind(session, timer, task, now)
    else:
        _escalate(session, documents, timer, task, now)
    timer.lock_owner = timer.lock_expires_at = None
    return timer.kind


def _remind(session: Session, timer: Timer, task: HumanTask, now: datetime) -> None:
    payload = dict(timer.payload or {})
    if task.due_at is None or task.due_at <= now:
        timer.status, timer.fired_at = "fired", now    # too late to remind: escalation takes over
        return
    text = f"催办：{task.reg_no or ''}「{task.name}」{chinese_deadline(task.due_at, now)}"
    notify(session, timer.case_id, task, "reminder", text, now)
    record(session, timer.case_id, "reminder", actor="scheduler", at=now, message=text,
           task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"due_at": task.due_at.isoformat()})
    at, rest = _next_reminder(task.due_at, payload.get("offsets", []), now)
    timer.fired_at = now
    if at is None:
        timer.status = "fired"
    else:
        timer.due_at, timer.payload = at, {**payload, "offsets": rest}


def _escalate(session: Session, documents, timer: Timer, task: HumanTask, now: datetime) -> None:
    payload = dict(timer.payload or {})
    count = int(payload.get("count", 0)) + 1
    state = standing(task.due_at, now) if task.due_at else None
    overdue = state.working_days if state and state.overdue else 0
    deadline = f"{chinese_deadline(task.due_at, now)}" if task.due_at else "已超期"
    text = f"督办：{task.reg_no or ''}「{task.name}」{deadline}（第 {count} 次督办）"
    _open_supervision_task(session, task, text, now)
    notify(session, timer.case_id, None, "escalation", text, now, group="director")
    record(session, timer.case_id, "escalated", actor="scheduler", at=now, message=text,
           task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"count": count, "overdue_working_days": overdue})
    if count >= int(payload.get("leader_after", DEFAULT_LEADER_AFTER)):
        notify(session, timer.case_id, None, "leader", f"提请领导关注：{text}", now, group="leader")
        record(session, timer.case_id, "leader_notified", actor="scheduler", at=now, message=text,
               task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"count": count})
    letter = _supervision_letter(session, documents, timer.case_id, task, count, now)
    if letter:
        record(session, timer.case_id, "document_issued", actor="scheduler", at=now, message="督办函",
               task_uuid=task.task_uuid, data={"document_id": letter})
    every = timedelta(seconds=int(payload.get("every_s", DEFAULT_EVERY.total_seconds())))
    following = timer.due_at + every
    while following <= now:           # downtime: missed weekly repeats collapse into this one
        following += every
    timer.fired_at, timer.due_at, timer.payload = now, following, {**payload, "count": count}


def _supervision_letter(session, documents, case_id, task, count, now):
    """The 督办函 to the unit, stored with the case; refused (and recorded) without a unit to address."""
    case = session.get(Case, case_id)
    store = documents(session, case, now, "scheduler")
    addressee = store.unit_name(task.unit) if _unit_step(task) else ""
    try:
        doc = store.render("督办函", reg_no=task.reg_no or "", subject=task.subject,
                           addressee=addressee, sequence=count, deadline=task.due_at,
                           issued=chinese_date(now))
    except ValidationFailed as err:     # no unit addressee (the office's own step): no letter
        log.info("督办函 not issued for case %s: %s", case_id, err)
        return None
    return getattr(doc, "id", None)


def _unit_step(task: HumanTask) -> bool:
    """A step a unit works on; the office's own steps (复查决定, 研) are chased inside, never by letter."""
    return "unit_staff" in {g.strip() for g in f"{task.groups or ''},{task.lane or ''}".split(",")}


def _open_supervision_task(session: Session, task: HumanTask, text: str, now: datetime) -> None:
    """One open 督办 task per overdue task; repeated escalations update it rather than pile up."""
    bpmn_id = f"{SUPERVISE_PREFIX}{task.bpmn_id}"
    existing = session.scalars(select(HumanTask).where(HumanTask.case_id == task.case_id,
                                                       HumanTask.bpmn_id == bpmn_id,
                                                       HumanTask.state == "open")).first()
    if existing is not None:
        existing.name = text[:256]
        return
    row = HumanTask(case_id=task.case_id, task_uuid=str(uuidlib.uuid4()), bpmn_id=bpmn_id, kind="supervision",
                    name=text[:256],
                    lane="director", groups="director", state="open", created_at=now, priority=90,
                    due_at=now + timedelta(days=5), form_key=None,
                    reg_no=task.reg_no, subject=task.subject, category=task.category, unit=task.unit,
                    region=task.region, channel=task.channel, petitioner=task.petitioner,
                    candidate_groups=[HumanTaskGroup(group_name="director")])
    session.add(row)


# -- notifications -----------------------------------------------------------------------------
def notify(session: Session, case_id: int, task: HumanTask | None, kind: str, text: str, now: datetime,
           *, group: str | None = None) -> None:
    """In-app rows double as the outbox of the e-mail/SMS port (delivered after commit)."""
    if task is not None and task.assignee:
        user, group = task.assignee, None
    elif task is not None:
        user, group = None, (task.groups.split(",")[0] if task.groups else None)
    else:
        user = None
    session.add(Notification(case_id=case_id, task_uuid=task.task_uuid if task else None, kind=kind,
                             recipient_user=user, recipient_group=group, text=text, created_at=now,
                             delivery="pending", attempts=0))


class Notifier(Protocol):
    """The e-mail/SMS port: the composition root gives one to Notifications."""

    def send(self, recipient: str, text: str) -> None: ...


class LoggingNotifier:
    """The port's default: a log line per message (an office plugs its gateway in)."""

    def send(self, recipient: str, text: str) -> None:
        log.info("notify %s: %s", recipient, text)


def deliver_pending(uow, port: Notifier, limit: int = 200) -> int:
    """Messages written by committed steps, pushed out once; a failing gateway is retried."""
    sent = 0
    with uow() as uow:
        rows = list(uow.session.scalars(select(Notification).where(Notification.delivery == "pending")
                                        .order_by(Notification.id).limit(limit)
                                        .with_for_update(skip_locked=True)))
        for row in rows:
            try:
                port.send(row.recipient_user or f"group:{row.recipient_group}", row.text)
                row.delivery, row.sent_at = "sent", utcnow()
                sent += 1
            except Exception as err:   # a gateway outage must not lose the message: retried next tick
                row.attempts += 1
                row.last_error = str(err)[:2000]
                row.delivery = "failed" if row.attempts >= 5 else "pending"
        uow.commit()
    return sent


