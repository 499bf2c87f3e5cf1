"""An inbox page as the database answers it: what a person's view shows (disjoint parts, each
answerable from an index), the shared conditions, the query kept per (person, filters), and the
page, counted only when asked."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, func, or_, select, text, true, union_all
from sqlalchemy.orm import Session

from engine import queries as views
from engine.clock import parse_instant
from engine.errors import NotAllowed, ValidationFailed
from engine.store.models import Case, HumanTask, HumanTaskGroup
from office.access import Actor, task_scope, unit_match
from office.inbox.tables import MULTI_GROUP, MULTI_UNIT
from office.selfservice.service import WINDOWS

SORTS = {"due_at": HumanTask.due_at, "created_at": HumanTask.created_at, "priority": HumanTask.priority,
         "reg_no": HumanTask.reg_no, "category": HumanTask.category, "subject": HumanTask.subject}


def visibility(actor: Actor, view: str) -> list:
    """Disjoint parts of what a view shows, each answerable from one index, so the total is a sum
    of cheap counts: tasks assigned to me; unassigned tasks whose single candidate group is mine
    (the denormalised `groups` column); unassigned multi-group tasks with a group of mine."""
    if view == "all" and not actor.is_supervisor:
        raise NotAllowed("only a director or an administrator sees all open tasks")
    mine = HumanTask.assignee == actor.username
    groups = sorted(actor.groups)
    single = and_(HumanTask.assignee.is_(None), views.fixed_in(HumanTask.groups, groups))
    # driven from human_task_group, which holds only multi-group tasks, or from their partial index:
    # as a correlated EXISTS beside an indexable `assignee IS NULL`, SQLite walked every unassigned
    # open task to find none (370 ms at 200,000 open tasks). No user name is empty.
    multi = and_(func.coalesce(HumanTask.assignee, "") == "", text(f"human_task.{MULTI_GROUP}"),
                 HumanTask.id.in_(select(HumanTaskGroup.task_id).where(views.fixed_in(HumanTaskGroup.group_name,
                                                                                       groups))))
    return {"mine": [mine], "groups": [single, multi], "delegated": [HumanTask.owner == actor.username],
            "all": [true()]}.get(view, [mine, single, multi])


def conditions(actor: Actor, filters: dict, now: datetime, unit_rows=None) -> list:
    """Scope (unit, the accused unit's wall) and the user's filters, shared by every part. The
    petitioner's windows (rating, 复查/复核 requests) are not the office's work: the case page
    shows them with their last day."""
    out = [HumanTask.state == "open", views.fixed_in(HumanTask.bpmn_id, WINDOWS, negate=True),
           *task_scope(actor, unit_rows)]
    for column in ("category", "region", "unit", "channel"):
        if filters.get(column):
            out.append(getattr(HumanTask, column) == filters[column])
    if filters.get("assignee"):
        out.append(HumanTask.assignee == filters["assignee"])
    if filters.get("overdue"):
        out.append(HumanTask.due_at < now)
    if filters.get("due_before"):
        try:
            out.append(HumanTask.due_at < parse_instant(filters["due_before"]))
        except ValueError as err:
            raise ValidationFailed(str(err), [{"field": "due_before", "message": str(err)}]) from None
    if filters.get("search"):
        term = "%" + filters["search"].replace("%", r"\%").replace("_", r"\_") + "%"
        out.append(or_(HumanTask.reg_no.like(term, escape="\\"), HumanTask.subject.like(term, escape="\\"),
                       HumanTask.petitioner.like(term, escape="\\"), HumanTask.name.like(term, escape="\\"),
                       HumanTask.case_id.in_(filters.get("_name_case_ids") or [-1])))
    return out


def inbox_query(actor: Actor, filters: dict, now: datetime):
    """(page query, count queries): the page is one ordered query; the total is the sum of the
    counts, built only when a count is asked for. A query that does not depend on the time or a
    search is kept for its (actor, filters): building it took a third of an inbox request."""
    if filters.get("overdue") or filters.get("search"):
        return _inbox_query(actor, filters, now)
    return _kept_query(actor, tuple(sorted((k, v) for k, v in filters.items() if not k.startswith("_"))))


BRANCH_ROWS = "branch_rows"     # rows each part of a unit's page reads: the page's end
PAGE_OFFSET, PAGE_LIMIT = "page_offset", "page_limit"
_TASK_COLUMNS = tuple(HumanTask.__table__.columns)     # rows, not ORM objects: a page only reads them


@functools.lru_cache(maxsize=512)
def _kept_query(actor: Actor, filters: tuple):
    return _inbox_query(actor, dict(filters), None)


def _inbox_query(actor: Actor, filters: dict, now: datetime | None):
    parts = visibility(actor, filters.get("view") or "inbox")
    seen = or_(*parts) if len(parts) > 1 else parts[0]
    sort = SORTS.get(filters.get("sort") or "due_at", HumanTask.due_at)
    branches = unit_branches(actor)
    if branches is None:
        where = [*conditions(actor, filters, now), seen]
        order = sort.desc() if filters.get("desc") else sort.asc()
        page = select(*_TASK_COLUMNS).where(*where).order_by(order.nulls_last(), HumanTask.id)
        kinds = [[*where[:-1], part] for part in parts]
    else:       # each branch walks an index of its own in order and stops at the page's end
        # who may see the row first: SQLite tests the terms in order, the hidden-report subquery last
        kinds = [[seen, *conditions(actor, filters, now, branch)] for branch in branches]
        inner = sort.desc() if filters.get("desc") else sort.asc()
        firsts = [select(*_TASK_COLUMNS).where(*where).order_by(inner.nulls_last(), HumanTask.id)
                  .limit(bindparam(BRANCH_ROWS, type_=Integer)).subquery() for where in kinds]
        rows = union_all(*(select(first) for first in firsts)).subquery("rows")
        column = rows.c[sort.key]
        order = column.desc() if filters.get("desc") else column.asc()
        page = select(rows).order_by(order.nulls_last(), rows.c.id)

    def counts() -> list:
        return [views.capped_count(select(HumanTask.id).where(*where)) for where in kinds]
    return _paged(page, sort.key, bool(filters.get("desc"))), counts


def _paged(page, key: str, desc: bool):
    """The page's rows (offset and limit bound per request: one statement object, compiled once)
    and each row's case facts for its badges, read for the page's rows only (the outer query;
    both levels ordered, so SQLite does not flatten the page into it)."""
    rows = page.offset(bindparam(PAGE_OFFSET, type_=Integer)).limit(bindparam(PAGE_LIMIT, type_=Integer)) \
        .subquery("page")
    facts = select(Case.facts).where(Case.id == rows.c.case_id).scalar_subquery().label("case_facts")
    order = rows.c[key].desc() if desc else rows.c[key].asc()
    return select(rows, facts).order_by(order.nulls_last(), rows.c.id)


def unit_branches(actor: Actor) -> list | None:
    """A unit's tasks as two disjoint parts that indexes answer (office/inbox/tables.py): that one
    unit's rows, by equality on an index that starts (state, unit), and the rare rows of several
    units (a comma-joined list) from a partial index. The unit condition as one OR of LIKEs no
    index answers: on PostgreSQL a unit's page fetched some 6,800 rows to find 97. None for
    people whose inbox is not scoped to a unit."""
    if not actor.unit or actor.is_office:
        return None
    return [HumanTask.unit == actor.unit, and_(text(f"human_task.{MULTI_UNIT}"), unit_match(HumanTask.unit, actor.unit))]


def page_of(session: Session, q, counts, page, per_page, render, count: bool = False) -> dict:
    """A page of rows (engine.queries.page_result): the total is free when the rows end on this
    page, and otherwise counted (capped) only when asked."""
    page, per_page = views.page_numbers(page, per_page)
    rows = session.connection().execute(q, {PAGE_OFFSET: (page - 1) * per_page, PAGE_LIMIT: per_page + 1,
                                            BRANCH_ROWS: page * per_page + 1}).all()     # rows: no ORM
    return views.page_result(rows, page, per_page, render,
                             (lambda: sum(session.scalar(c) or 0 for c in counts())) if count else None)
