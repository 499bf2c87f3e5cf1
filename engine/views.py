"""Read-side queries straight from the read tables (inbox, case lists, timers due)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from . import repository, runtime, serialization
from .access import Actor, case_scope, task_scope
from .models import Case, Definition, HumanTask, HumanTaskGroup, Timer

MAX_PER_PAGE = 200
TASK_SORTS = {"due_at": HumanTask.due_at, "created_at": HumanTask.created_at, "priority": HumanTask.priority,
              "reg_no": HumanTask.reg_no, "category": HumanTask.category}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def processes(session: Session) -> list[dict]:
    counts = dict(session.execute(select(Case.definition_id, func.count()).where(
        Case.status.in_(("running", "suspended", "error"))).group_by(Case.definition_id)).all())
    return [{"key": d.process_key, "version": d.version, "name": d.name, "hash": d.content_hash,
             "deployed_by": d.deployed_by, "deployed_at": _iso(d.deployed_at),
             "running_cases": counts.get(d.id, 0)} for d in repository.all_definitions(session)]


def case_summary(case: Case, open_tasks: list | None = None) -> dict:
    """`open_tasks` (after a step) lets a caller go straight to the next task."""
    out = {"id": case.id, "reg_no": case.reg_no, "status": case.status, "process_key": case.process_key,
            "version": case.definition_version, "subject": case.subject, "category": case.category,
            "channel": case.channel, "unit": case.unit, "region": case.region, "petitioner": case.petitioner,
            "stage": case.stage, "due_at": _iso(case.due_at), "next_timer_at": _iso(case.next_due_at),
            "created_at": _iso(case.created_at), "updated_at": _iso(case.updated_at),
            "completed_at": _iso(case.completed_at), "error": case.error_message, "error_task": case.error_task}
    if open_tasks is not None:
        out["open_tasks"] = [{"id": t.task_uuid, "bpmn_id": t.bpmn_id, "name": t.name,
                              "groups": [g for g in t.groups.split(",") if g], "assignee": t.assignee}
                             for t in open_tasks if t.state == "open"]
    return out


def case_detail(session: Session, case: Case, wf, events: int) -> dict:
    out = case_summary(case)
    out["data"] = runtime.workflow_data(wf)
    out["tasks"] = [task_dict(t) for t in repository.tasks_of_case(session, case.id)]
    out["timers"] = [{"bpmn_id": t.bpmn_id, "kind": t.kind, "due_at": _iso(t.due_at), "status": t.status,
                      "fired_at": _iso(t.fired_at), "attempts": t.attempts}
                     for t in repository.timers_of_case(session, case.id)]
    out["events"] = [{"id": e.id, "at": _iso(e.at), "actor": e.actor, "kind": e.kind, "bpmn_id": e.bpmn_id,
                      "message": e.message, "data": e.data}
                     for e in repository.events_of_case(session, case.id, limit=events)]
    out["state_bytes"] = len(case.state)
    return out


def task_dict(row: HumanTask, form: dict | None = None) -> dict:
    out = {"id": row.task_uuid, "case_id": row.case_id, "bpmn_id": row.bpmn_id, "name": row.name,
           "lane": row.lane, "groups": [g for g in row.groups.split(",") if g], "assignee": row.assignee,
           "due_at": _iso(row.due_at), "priority": row.priority, "form_key": row.form_key, "state": row.state,
           "created_at": _iso(row.created_at), "completed_at": _iso(row.completed_at),
           "completed_by": row.completed_by, "reg_no": row.reg_no, "subject": row.subject,
           "category": row.category, "unit": row.unit, "region": row.region, "channel": row.channel,
           "petitioner": row.petitioner}
    if form is not None:
        out["form"] = form
    return out


def cases(session: Session, actor: Actor, *, status: str | None, page: int, per_page: int) -> dict:
    q = select(Case)
    if status:
        q = q.where(Case.status == status)
    q = q.where(*case_scope(actor))
    return _page(session, q.order_by(Case.id.desc()), page, per_page, case_summary)


def tasks(session: Session, actor: Actor | None, *, groups, filters: dict, page: int, per_page: int,
          case_id: int | None, state: str) -> dict:
    q = select(HumanTask).where(HumanTask.state == state)
    if case_id is not None:
        q = q.where(HumanTask.case_id == case_id)
    if actor is not None:
        mine = set(groups or actor.groups) & set(actor.groups) if groups else set(actor.groups)
        view = filters.get("view", "all" if actor.is_supervisor else "mine_and_groups")
        in_groups = exists().where(HumanTaskGroup.task_id == HumanTask.id, HumanTaskGroup.group_name.in_(mine))
        if view == "mine":
            q = q.where(HumanTask.assignee == actor.username)
        elif view == "groups":
            q = q.where(HumanTask.assignee.is_(None), in_groups)
        elif view != "all" or not actor.is_supervisor:
            q = q.where(or_(HumanTask.assignee == actor.username, (HumanTask.assignee.is_(None)) & in_groups))
        q = q.where(*task_scope(actor))
    elif groups:
        q = q.where(exists().where(HumanTaskGroup.task_id == HumanTask.id, HumanTaskGroup.group_name.in_(groups)))
    for column in ("category", "region", "unit", "channel"):
        if filters.get(column):
            q = q.where(getattr(HumanTask, column) == filters[column])
    if filters.get("overdue"):
        q = q.where(HumanTask.due_at < filters.get("now") or func.now())
    if filters.get("search"):
        term = f"%{filters['search']}%"
        q = q.where(or_(HumanTask.reg_no.like(term), HumanTask.subject.like(term), HumanTask.petitioner.like(term)))
    sort = TASK_SORTS.get(filters.get("sort", "due_at"), HumanTask.due_at)
    order = sort.desc() if filters.get("desc") else sort.asc()
    return _page(session, q.order_by(order.nulls_last(), HumanTask.id), page, per_page, task_dict)


def _page(session: Session, q, page: int, per_page: int, render) -> dict:
    page = max(1, int(page or 1))
    per_page = max(1, min(MAX_PER_PAGE, int(per_page or 50)))
    total = session.scalar(select(func.count()).select_from(q.order_by(None).subquery()))
    rows = session.scalars(q.offset((page - 1) * per_page).limit(per_page)).all()
    return {"items": [render(r) for r in rows], "total": total, "page": page, "per_page": per_page}


def set_case_rows_state(session: Session, case: Case, status: str, now: datetime) -> None:
    """Suspension parks the case's timers; terminating closes its tasks and timers."""
    if status == "terminated":
        session.execute(update(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "open")
                        .values(state="cancelled", completed_at=now))
        session.execute(update(Timer).where(Timer.case_id == case.id, Timer.status.in_(("waiting", "parked")))
                        .values(status="cancelled"))
    elif status == "suspended":
        session.execute(update(Timer).where(Timer.case_id == case.id, Timer.status == "waiting")
                        .values(status="parked"))
    elif status == "running":
        session.execute(update(Timer).where(Timer.case_id == case.id, Timer.status == "parked")
                        .values(status="waiting"))


def bump_timer_attempts(session: Session, case: Case, action, error: str) -> None:
    if action.kind != "timers" or not action.fire:
        return
    session.execute(update(Timer).where(Timer.case_id == case.id, Timer.task_uuid.in_(action.fire))
                    .values(attempts=Timer.attempts + 1, last_error=error[:2000]))


__all__ = ["serialization", "Definition"]
