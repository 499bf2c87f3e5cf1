"""Read-side shapes of the case store: processes, a case with its tasks, timers and events, pages."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session

from engine.bpmn import runtime
from engine.clock import iso
from engine.errors import ValidationFailed
from engine.store import repository
from engine.store.models import Case, HumanTask, HumanTaskGroup, Timer

MAX_PER_PAGE = 200
# Counting every match of a broad filter over 200,000 open tasks or a million cases costs more than
# the page itself; a count asked for stops here and the page says "1000+".
COUNT_CAP = 1000


def fixed_in(column, values, negate: bool = False):
    """SQL: `column IN (…)` with one bound parameter per value, rendered once when the statement
    is compiled. SQLAlchemy's list IN is an "expanding" parameter, re-rendered at every execution:
    a tenth of an inbox page's statement cost, for lists (groups, window tasks) that never change
    in a kept statement."""
    values = sorted(values)
    if not values:
        return column.not_in([]) if negate else column.in_([])
    params = [bindparam(None, v, type_=column.type, unique=True) for v in values]
    return column.not_in(params) if negate else column.in_(params)


def offered_to(groups, task=HumanTask):
    """SQL: the task is offered to one of `groups`: its one candidate group (the `groups` column)
    or one of its several (rows of human_task_group, written only for tasks of several groups).
    `task`: HumanTask or an alias of it."""
    return or_(fixed_in(task.groups, groups), exists().where(HumanTaskGroup.task_id == task.id,
                                                             fixed_in(HumanTaskGroup.group_name, groups)))


def processes(session: Session) -> list[dict]:
    counts = dict(session.execute(select(Case.definition_id, func.count()).where(
        Case.status.in_(("running", "suspended", "error"))).group_by(Case.definition_id)).all())
    return [{"key": d.process_key, "version": d.version, "name": d.name, "hash": d.content_hash,
             "deployed_by": d.deployed_by, "deployed_at": iso(d.deployed_at),
             "running_cases": counts.get(d.id, 0)} for d in repository.all_definitions(session)]


def case_summary(case: Case, open_tasks: list | None = None) -> dict:
    """`open_tasks` (after a step) lets a caller go straight to the next task."""
    out = {"id": case.id, "reg_no": case.reg_no, "status": case.status, "process_key": case.process_key,
            "version": case.definition_version, "subject": case.subject, "category": case.category,
            "channel": case.channel, "unit": case.unit, "region": case.region, "petitioner": case.petitioner,
            "stage": case.stage, "due_at": iso(case.due_at), "next_timer_at": iso(case.next_due_at),
            "created_at": iso(case.created_at), "updated_at": iso(case.updated_at),
            "completed_at": iso(case.completed_at), "error": case.error_message, "error_task": case.error_task}
    if open_tasks is not None:
        out["open_tasks"] = [{"id": t.task_uuid, "bpmn_id": t.bpmn_id, "name": t.name,
                              "groups": [g for g in t.groups.split(",") if g], "assignee": t.assignee}
                             for t in open_tasks if t.state == "open"]
    return out


def case_detail(session: Session, case: Case, wf, events: int) -> dict:
    out = case_summary(case)
    out["data"] = runtime.workflow_data(wf)
    out["tasks"] = [task_dict(t) for t in repository.tasks_of_case(session, case.id)]
    out["timers"] = [{"bpmn_id": t.bpmn_id, "kind": t.kind, "due_at": iso(t.due_at), "status": t.status,
                      "fired_at": iso(t.fired_at), "attempts": t.attempts}
                     for t in repository.timers_of_case(session, case.id)]
    out["events"] = [{"id": e.id, "at": iso(e.at), "actor": e.actor, "kind": e.kind, "bpmn_id": e.bpmn_id,
                      "message": e.message, "data": e.data}
                     for e in repository.events_of_case(session, case.id, limit=events)]
    out["state_bytes"] = len(case.state)
    return out


def task_dict(row: HumanTask, form: dict | None = None) -> dict:
    out = {"id": row.task_uuid, "case_id": row.case_id, "bpmn_id": row.bpmn_id, "name": row.name,
           "lane": row.lane, "groups": [g for g in row.groups.split(",") if g], "assignee": row.assignee,
           "due_at": iso(row.due_at), "priority": row.priority, "form_key": row.form_key, "state": row.state,
           "created_at": iso(row.created_at), "completed_at": iso(row.completed_at),
           "completed_by": row.completed_by, "reg_no": row.reg_no, "subject": row.subject,
           "category": row.category, "unit": row.unit, "region": row.region, "channel": row.channel,
           "petitioner": row.petitioner}
    if form is not None:
        out["form"] = form
    return out


def page_numbers(page, per_page) -> tuple[int, int]:
    """(page, per_page) as whole numbers in range, or a ValidationFailed naming them."""
    try:
        page, per_page = max(1, int(page or 1)), max(1, min(MAX_PER_PAGE, int(per_page or 50)))
    except (TypeError, ValueError):
        raise ValidationFailed("page and per_page must be whole numbers") from None
    return min(page, 100_000), per_page


def page_result(rows: list, page: int, per_page: int, render: Callable, count: Callable[[], int] | None) -> dict:
    """A page from up to per_page + 1 fetched rows (the extra one says whether another page
    follows). The total is free when the rows end on this page; otherwise it is counted only when
    asked (`count`, capped at COUNT_CAP) and is None when not: a list that counted every match
    on every page spent more on the count than on the page."""
    more, rows = len(rows) > per_page, rows[:per_page]
    if not more and (rows or page == 1):
        total = (page - 1) * per_page + len(rows)         # the rows end here: no count query
    else:
        total = count() if count is not None else None
    capped = total is not None and total > COUNT_CAP
    if capped:
        total = COUNT_CAP
    pages = page + 1 if more else page
    if total is not None:
        pages = max(1, -(-total // per_page), pages)
    return {"items": [render(r) for r in rows], "total": total, "total_capped": capped, "more": more,
            "page": page, "per_page": per_page, "pages": pages}


def capped_count(q):
    """SQL: how many rows `q` yields, stopping after COUNT_CAP + 1."""
    return select(func.count()).select_from(q.order_by(None).limit(COUNT_CAP + 1).subquery())


def page_of(session: Session, q, page: int, per_page: int, render, count: bool = False) -> dict:
    """A page of ORM rows of `q` (see page_result); the total counted only when `count`."""
    page, per_page = page_numbers(page, per_page)
    rows = session.scalars(q.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return page_result(rows, page, per_page, render,
                       (lambda: session.scalar(capped_count(q)) or 0) if count else None)


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
