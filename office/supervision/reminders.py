"""Reminders (催办) before a deadline and the escalation ladder (督办) after it, outside the task tree.

Repeating timers inside BPMN grow SpiffWorkflow's task tree without bound, so each open user
task with a due date gets at most two rows of its own in the `timer` table instead:

* kind "reminder": due at the earliest future offset before the due date (from the deadline
  table's rule, default 15 and 3 days); when it fires it notifies the assignee (or the task's
  groups) once, consuming every offset already past, so missed reminders collapse into one;
* kind "escalation": the step's place on the escalation ladder (office/supervision/ladder.py,
  processes/escalation_ladders/): numbered 督办函, the director's notice and task, the leader's list.

Task properties may override: `reminders="15,3"`, `escalate="false"` (no ladder). Rows are
written by a step hook, so they commit with the step that opened, re-dated or closed the task.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.store.models import Case, HumanTask, Timer
from processes.calendar import local_day
from processes.due import chinese_deadline
from processes.ladders import Ladder, load_ladder
from engine.projection import record
from office.supervision import ladder as ladders
from office.supervision.messages import notify
from office.supervision.tables import Notification

log = logging.getLogger(__name__)
DEFAULT_REMINDERS = (15, 3)
SUPERVISE_PREFIX = ladders.SUPERVISE_PREFIX


# -- policy ---------------------------------------------------------------------------------
def policy(props: dict, rule_reminders: tuple[int, ...] | None = None) -> dict:
    offsets = _offsets(props.get("reminders"))
    if offsets is None:
        offsets = tuple(rule_reminders) if rule_reminders is not None else DEFAULT_REMINDERS
    return {"offsets": sorted(set(offsets), reverse=True),
            "escalate": str(props.get("escalate", "true")).lower() != "false", "party": ladders.party_of(props)}


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
def step_hook(rule_lookup=None, ladder_on=None):
    """A StepRunner hook; `rule_lookup(name) -> reminder offsets or None` reads the deadline table,
    `ladder_on(day) -> Ladder` the escalation ladder in force on a day (default: the office's)."""
    ladder_on = ladder_on or (lambda day: load_ladder(on=day))

    def hook(session: Session, case: Case, data: dict, step) -> None:
        # a closed task's reminders are cancelled by the step itself (TASK_TIMERS, Core.close_timers_with_tasks)
        for row in step.open_tasks:
            if row.kind != "bpmn":
                continue
            props = getattr(row, "properties", None)
            if row in step.opened:
                if row.due_at is not None and props is not None:
                    rules = rule_lookup(props.get("dueDeadline")) if rule_lookup and props.get("dueDeadline") else None
                    _arm(session, case, row, policy(props, rules), step.now, ladder_on(local_day(step.now)))
            elif getattr(row, "due_changed", False):
                _redate(session, case, row, step.now, ladder_on)
    return hook


def _arm(session: Session, case: Case, row: HumanTask, pol: dict, now: datetime, ladder: Ladder) -> None:
    at, rest = _next_reminder(row.due_at, pol["offsets"], now)
    if at is not None:
        _add(session, case, row, "reminder", at, {**pol, "offsets": rest, "task_due": row.due_at.isoformat()}, now)
    if pol["escalate"]:
        ladders.arm(session, case, row, ladder, pol["party"], now)


def arm_task(session: Session, case: Case, row: HumanTask, now: datetime, ladder: Ladder, *, party: str) -> None:
    """A dated task the office opens beside the workflow (a 代表恳谈会 follow-up) gets the default
    reminders and climbs the ladder like a step; its owner cancels both when it closes."""
    _arm(session, case, row, {**policy({}), "party": party}, now, ladder)


def _add(session, case, row, kind, due, payload, now) -> None:
    session.add(Timer(case_id=case.id, task_uuid=row.task_uuid, bpmn_id=row.bpmn_id, kind=kind, due_at=due,
                      status="waiting", created_at=now, attempts=0, payload=payload))
    if case.next_due_at is None or due < case.next_due_at:
        case.next_due_at = due


TASK_TIMERS = ("reminder", "escalation")      # armed on a dated task, moot once it closes
_CANCEL = (update(Timer).where(Timer.case_id == bindparam("c"), Timer.task_uuid == bindparam("t"),
                               Timer.kind.in_(TASK_TIMERS), Timer.status == "waiting")
           .values(status="cancelled", lock_owner=None, lock_expires_at=None))


def cancel(session: Session, case_id: int, task_uuid: str) -> None:
    """The task's reminder and escalation rows still waiting never fire."""
    session.connection().execute(_CANCEL, {"c": case_id, "t": task_uuid})


def _redate(session: Session, case: Case, row: HumanTask, now: datetime, ladder_on) -> None:
    """A moved due date (extension) re-plans the task's reminders and starts its ladder afresh
    (the letters' numbers continue: they count the case's letters)."""
    rows = list(session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.task_uuid == row.task_uuid,
                                                    Timer.kind.in_(TASK_TIMERS))))
    escalate, party = False, ladders.party_of(getattr(row, "properties", None))
    for timer in rows:
        if timer.kind == "escalation":
            escalate, party = True, (timer.payload or {}).get("party", party)
        session.delete(timer)
    session.flush()
    if row.due_at is None:
        return
    pol = {**policy({}), "escalate": escalate or not rows, "party": party}
    _arm(session, case, row, pol, now, ladder_on(local_day(now)))


# -- firing ------------------------------------------------------------------------------------
def fire(session: Session, documents, timer_id: int, now: datetime) -> str | None:
    """Fires one leased reminder/escalation row; returns its kind, or None when it was moot."""
    timer = session.get(Timer, timer_id)
    if timer is None or timer.status != "waiting":
        return None
    if timer.kind == "escalation":
        return ladders.climb(session, documents, timer_id, now)
    task = session.scalars(select(HumanTask).where(HumanTask.task_uuid == timer.task_uuid)).first()
    if task is None or task.state != "open":
        timer.status, timer.lock_owner, timer.lock_expires_at = "cancelled", None, None
        return None
    _remind(session, timer, task, now)
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


