"""The task lists of the inbox: what an actor may see, filtered, sorted and paged."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine import queries
from engine.store.models import HumanTask
from office.access import Actor, task_scope

TASK_SORTS = {"due_at": HumanTask.due_at, "created_at": HumanTask.created_at, "priority": HumanTask.priority,
              "reg_no": HumanTask.reg_no, "category": HumanTask.category}


def tasks(session: Session, actor: Actor | None, *, groups, filters: dict, page: int, per_page: int,
          case_id: int | None, state: str) -> dict:
    q = select(HumanTask).where(HumanTask.state == state)
    if case_id is not None:
        q = q.where(HumanTask.case_id == case_id)
    if actor is not None:
        mine = set(groups or actor.groups) & set(actor.groups) if groups else set(actor.groups)
        view = filters.get("view", "all" if actor.is_supervisor else "mine_and_groups")
        in_groups = queries.offered_to(mine)
        if view == "mine":
            q = q.where(HumanTask.assignee == actor.username)
        elif view == "groups":
            q = q.where(HumanTask.assignee.is_(None), in_groups)
        elif view != "all" or not actor.is_supervisor:
            q = q.where(or_(HumanTask.assignee == actor.username, (HumanTask.assignee.is_(None)) & in_groups))
        q = q.where(*task_scope(actor))
    elif groups:
        q = q.where(queries.offered_to(groups))
    for column in ("category", "region", "unit", "channel"):
        if filters.get(column):
            q = q.where(getattr(HumanTask, column) == filters[column])
    if filters.get("overdue"):
        q = q.where(HumanTask.due_at < (filters.get("now") or func.now()))
    if filters.get("search"):
        term = f"%{filters['search']}%"
        q = q.where(or_(HumanTask.reg_no.like(term), HumanTask.subject.like(term), HumanTask.petitioner.like(term)))
    sort = TASK_SORTS.get(filters.get("sort", "due_at"), HumanTask.due_at)
    order = sort.desc() if filters.get("desc") else sort.asc()
    return queries.page_of(session, q.order_by(order.nulls_last(), HumanTask.id), page, per_page, queries.task_dict)
