"""The task inbox: views, filters (saved and shared), delegation and bulk reassignment.

Claims, delegation and reassignment touch only the inbox projection (`human_task`);
the case itself is never suspended for them.
"""
from __future__ import annotations

import functools

from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, exists, func, or_, select, text, true, union_all
from sqlalchemy.orm import Session

from engine.store import repository
from engine import queries as views
from office.access import (Actor, unit_match, case_scope, check_can_work, check_case_visible, may_search_names,
                           name_search_scope, task_scope)
from office.people.audit import log_access
from engine.clock import parse_instant, utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed, XinfangError
from engine.store.models import Case, HumanTask, HumanTaskGroup
from engine.projection import record
from office.inbox.tables import MULTI_GROUP, MULTI_UNIT, SavedFilter
from office.dates import deadline
from office.directory import regions
from office.directory.names import Names
from office.selfservice.service import WINDOWS
INBOX_VIEWS = ("inbox", "mine", "groups", "all", "delegated")
FILTER_KEYS = ("view", "category", "region", "unit", "channel", "overdue", "search", "sort", "desc",
               "assignee", "due_before")
SORTS = {"due_at": HumanTask.due_at, "created_at": HumanTask.created_at, "priority": HumanTask.priority,
         "reg_no": HumanTask.reg_no, "category": HumanTask.category, "subject": HumanTask.subject}


def resolve_placeholders(query: dict, username: str, now: datetime) -> dict:
    """Saved filters say "me" and "now"; they mean the person running the filter, at that moment."""
    out = {}
    for key, value in query.items():
        if value == "me":
            value = username
        elif value == "now":
            value = now.isoformat()
        out[key] = value
    return out


def clean_filters(raw: dict) -> dict:
    """Only known keys, as strings/bools, so a saved filter cannot smuggle anything else in."""
    out: dict = {}
    for key in FILTER_KEYS:
        value = raw.get(key)
        if value in (None, "", [], False):
            continue
        if key in ("overdue", "desc"):
            out[key] = value in (True, "1", "true", "on", "yes")
        else:
            out[key] = str(value).strip()[:100]
    if out.get("view") and out["view"] not in INBOX_VIEWS:
        raise ValidationFailed(f"unknown inbox view {out['view']!r}", [{"field": "view", "message": "unknown"}])
    if out.get("sort") and out["sort"] not in SORTS:
        raise ValidationFailed(f"cannot sort by {out['sort']!r}", [{"field": "sort", "message": "unknown"}])
    return {k: v for k, v in out.items() if v is not False}


# Counting every match of a broad filter over 200,000 open tasks costs more than the page itself;
# beyond this the inbox says "1000+" and pages on by "next".
COUNT_CAP = 1000


def visibility(actor: Actor, view: str) -> list:
    """Disjoint parts of what a view shows, each answerable from one index, so the total is a sum
    of cheap counts: tasks assigned to me; unassigned tasks whose single candidate group is mine
    (the denormalised `groups` column); unassigned multi-group tasks with a group of mine."""
    if view == "all" and not actor.is_supervisor:
        raise NotAllowed("only a director or an administrator sees all open tasks")
    mine = HumanTask.assignee == actor.username
    groups = sorted(actor.groups)
    single = and_(HumanTask.assignee.is_(None), HumanTask.groups.in_(groups))
    multi = and_(HumanTask.assignee.is_(None), text(f"human_task.{MULTI_GROUP}"),
                 exists().where(HumanTaskGroup.task_id == HumanTask.id, HumanTaskGroup.group_name.in_(groups)))
    return {"mine": [mine], "groups": [single, multi], "delegated": [HumanTask.owner == actor.username],
            "all": [true()]}.get(view, [mine, single, multi])


def conditions(actor: Actor, filters: dict, now: datetime, unit_rows=None) -> list:
    """Scope (unit, the accused unit's wall) and the user's filters, shared by every part. The
    petitioner's windows (rating, 复查/复核 requests) are not the office's work: the case page
    shows them with their last day."""
    out = [HumanTask.state == "open", HumanTask.bpmn_id.not_in(sorted(WINDOWS)), *task_scope(actor, unit_rows)]
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
    counts, built only when a page needs them. A query that does not depend on the time or a
    search is kept for its (actor, filters): building it took a third of an inbox request."""
    if filters.get("overdue") or filters.get("search"):
        return _inbox_query(actor, filters, now)
    return _kept_query(actor, tuple(sorted((k, v) for k, v in filters.items() if not k.startswith("_"))))


BRANCH_ROWS = "branch_rows"     # rows each part of a unit's page reads: the page's end
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
        kinds = [[*conditions(actor, filters, now, branch), seen] for branch in branches]
        inner = sort.desc() if filters.get("desc") else sort.asc()
        firsts = [select(*_TASK_COLUMNS).where(*where).order_by(inner.nulls_last(), HumanTask.id)
                  .limit(bindparam(BRANCH_ROWS, type_=Integer)).subquery() for where in kinds]
        rows = union_all(*(select(first) for first in firsts)).subquery("rows")
        column = rows.c[sort.key]
        order = column.desc() if filters.get("desc") else column.asc()
        page = select(rows).order_by(order.nulls_last(), rows.c.id)

    def counts() -> list:
        return [select(func.count()).select_from(select(HumanTask.id).where(*where).limit(COUNT_CAP + 1)
                                                 .subquery()) for where in kinds]
    return page, counts


def unit_branches(actor: Actor) -> list | None:
    """A unit's tasks as two disjoint parts that indexes answer (office/inbox/tables.py): that one
    unit's rows, by equality on an index that starts (state, unit), and the rare rows of several
    units (a comma-joined list) from a partial index. The unit condition as one OR of LIKEs no
    index answers: on PostgreSQL a unit's page fetched some 6,800 rows to find 97. None for
    people whose inbox is not scoped to a unit."""
    if not actor.unit or actor.is_office:
        return None
    return [HumanTask.unit == actor.unit, and_(text(f"human_task.{MULTI_UNIT}"), unit_match(HumanTask.unit, actor.unit))]


def task_row(row, now: datetime) -> dict:
    out = views.task_dict(row)
    out["owner"] = row.owner
    out["deadline"] = deadline(row.due_at, now)
    out["overdue"] = bool(out["deadline"] and out["deadline"]["overdue"])
    return out


def name_rows(names: Names, rows: list[dict]) -> None:
    """Names beside the codes an inbox row holds: its unit(s), its assignee and delegator."""
    people = names.people([r.get("assignee") for r in rows] + [r.get("owner") for r in rows])
    for row in rows:
        row["unit_names"] = names.units(row.get("unit"))
        row["region_name"] = names.region(row.get("region")) if row.get("region") else ""
        row["assignee_name"] = people.get(row.get("assignee"), "")
        row["owner_name"] = people.get(row.get("owner"), "")


BADGES = ("urgent", "skip_level", "sensitive")       # flags a row shows (紧急, 越级访, 敏感), in this order


def flag_rows(session: Session, rows: list[dict]) -> None:
    """Each row's case flags worth a badge, from the case's projected facts (one query a page)."""
    ids = {r["case_id"] for r in rows}
    facts = dict(session.execute(select(Case.id, Case.facts).where(Case.id.in_(ids))).all()) if ids else {}
    for row in rows:
        found = facts.get(row["case_id"]) or {}
        row["flags"] = [f for f in BADGES if found.get(f) is True]


class Inbox:
    """The inbox: views and counts, saved filters, claims, delegation and reassignment."""

    def __init__(self, core, comments, find_by_name):
        self.core = core
        self.comments = comments
        self.find_by_name = find_by_name     # (session, name) -> case ids, through the keyed hashes

    def inbox(self, *, user: str, filters: dict | None = None, page: int = 1, per_page: int = 50,
              now: datetime | None = None) -> dict:
        now = now or utcnow()
        filters = clean_filters(filters or {})
        if filters.get("region"):           # typed or picked by name: 樊城区 means 420606
            found, _ = regions.resolve(filters["region"])
            filters["region"] = found.code if found else filters["region"]
        with self.core.uow(write=bool(filters.get("search"))) as uow:
            actor = self.core.actor(uow.session, user)
            if filters.get("search"):
                filters["_name_case_ids"] = self.cases_by_person_name(uow.session, actor, filters["search"])
            query, counts = inbox_query(actor, filters, now)
            result = _page(uow.session, query, counts, page, per_page, lambda r: task_row(r, now))
            name_rows(Names(uow.session), result["items"])
            flag_rows(uow.session, result["items"])
            if filters.get("search"):      # every search is on record, like every opening
                log_access(uow.session, actor.username, "search", None, f"inbox search: {filters['search']}")
                uow.commit()
        result["filters"] = {k: v for k, v in filters.items() if not k.startswith("_")}
        if filters.get("region"):
            result["filters"]["region_name"] = regions.name(filters["region"])
        return result

    def cases_by_person_name(self, session: Session, actor: Actor, name: str) -> list[int]:
        """Exact-name search goes through the keyed hashes of the identity table, and only for roles
        that may reveal identities (a match confirms a name): others get no name-based match."""
        if not may_search_names(actor):
            return []
        ids = self.find_by_name(session, name)
        if not ids:
            return []
        return list(session.scalars(select(Case.id).where(Case.id.in_(ids), name_search_scope(actor))))

    # -- claims and assignment ----------------------------------------------------------
    def claim_task(self, task_uuid: str, *, user: str) -> dict:
        return self._change_assignment(task_uuid, user, lambda actor, row: self._claim(actor, row))

    def unclaim_task(self, task_uuid: str, *, user: str) -> dict:
        def unclaim(actor, row):
            if row.assignee != actor.username and not actor.is_supervisor:
                raise NotAllowed("only the assignee or a director can release this task")
            row.assignee = None
        return self._change_assignment(task_uuid, user, unclaim)

    def assign_task(self, task_uuid: str, assignee: str, *, user: str) -> dict:
        def assign(actor, row, session):
            target = self.core.actor(session, assignee)
            if not actor.is_supervisor and row.assignee != actor.username:
                raise NotAllowed("only a director or the current assignee can assign this task")
            if not set(row.groups.split(",")) & target.groups:
                raise ValidationFailed(f"{assignee} is not in the task's group(s) {row.groups}")
            check_case_visible(target, repository.get_case(session, row.case_id), session)
            row.assignee = assignee
            try:            # the assignee must be able to complete it: a unit's step stays in that unit
                check_can_work(target, row)
            except NotAllowed as err:
                raise ValidationFailed(f"{assignee} cannot do this step ({err}); choose someone of the unit "
                                       "the step belongs to", [{"field": "assignee", "message": str(err)}]) from None
        return self._change_assignment(task_uuid, user, assign, pass_session=True)

    def _claim(self, actor: Actor, row) -> None:
        if row.assignee == actor.username:
            return
        if row.assignee:
            raise Conflict(f"task is already claimed by {row.assignee}")
        check_can_work(actor, row)
        row.assignee = actor.username

    def _change_assignment(self, task_uuid, user, change, pass_session=False) -> dict:
        """Claims live only in the inbox projection: the case itself is never suspended."""
        with self.core.uow() as uow:
            actor = self.core.actor(uow.session, user)
            row = repository.human_task(uow.session, task_uuid)
            if row.state != "open":
                raise Conflict(f"task is {row.state}")
            check_case_visible(actor, repository.get_case(uow.session, row.case_id), uow.session)
            before = row.assignee
            change(actor, row, uow.session) if pass_session else change(actor, row)
            if row.assignee != before:
                record(uow.session, row.case_id, "task_assigned", actor=user, at=utcnow(), task_uuid=task_uuid,
                       bpmn_id=row.bpmn_id, message=row.name, data={"from": before, "to": row.assignee})
            uow.commit()
            return views.task_dict(row)

    # -- saved filters ----------------------------------------------------------------------
    def save_filter(self, *, user: str, name: str, query: dict, share_with: str | None = None) -> dict:
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise ValidationFailed("a saved filter needs a name (at most 100 characters)",
                                   [{"field": "name", "message": "required"}])
        query = clean_filters(query)
        with self.core.uow() as uow:
            actor = self.core.actor(uow.session, user)
            if share_with and share_with not in actor.groups:
                raise NotAllowed(f"you can share filters only with your own groups, not {share_with!r}")
            row = SavedFilter(name=name, owner=user, group_name=share_with or None, query=query, created_at=utcnow())
            uow.session.add(row)
            uow.commit()
            return _filter_dict(row)

    def list_filters(self, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            rows = uow.session.scalars(select(SavedFilter).where(or_(
                SavedFilter.owner == user, SavedFilter.group_name.in_(sorted(actor.groups))))
                .order_by(SavedFilter.name, SavedFilter.id))
            return [_filter_dict(r) for r in rows]

    def run_filter(self, filter_id: int, *, user: str, page: int = 1, per_page: int = 50) -> dict:
        now = utcnow()
        saved = next((f for f in self.list_filters(user=user) if f["id"] == filter_id), None)
        if saved is None:
            raise NotFound(f"no saved filter {filter_id} for you")
        return self.inbox(user=user, filters=resolve_placeholders(saved["query"], user, now), page=page,
                          per_page=per_page, now=now)

    def delete_filter(self, filter_id: int, *, user: str) -> None:
        with self.core.uow() as uow:
            row = uow.session.get(SavedFilter, filter_id)
            if row is None:
                raise NotFound(f"no saved filter {filter_id}")
            if row.owner != user and not self.core.actor(uow.session, user).is_supervisor:
                raise NotAllowed("only its owner can delete a saved filter")
            uow.session.delete(row)
            uow.commit()

    # -- delegation -------------------------------------------------------------------------
    def delegate_task(self, task_uuid: str, delegate: str, *, user: str) -> dict:
        """The owner keeps the task; the delegate works on it and then resolves it back."""
        def change(actor: Actor, row: HumanTask, session: Session) -> None:
            if row.assignee != actor.username:
                raise NotAllowed("claim the task before delegating it")
            if delegate == actor.username:
                raise ValidationFailed("you cannot delegate a task to yourself")
            check_case_visible(self.core.actor(session, delegate), repository.get_case(session, row.case_id), session)
            row.owner = row.owner or actor.username
            row.assignee = delegate
        return self._change_assignment(task_uuid, user, change, pass_session=True)

    def resolve_task(self, task_uuid: str, *, user: str, note: str = "") -> dict:
        """The delegate hands the task back to its owner, who completes it."""
        def change(actor: Actor, row: HumanTask) -> None:
            if not row.owner:
                raise ValidationFailed("this task is not delegated")
            if row.assignee != actor.username:
                raise NotAllowed("only the delegate can hand this task back")
            row.assignee, row.owner = row.owner, None
        result = self._change_assignment(task_uuid, user, change)
        if note.strip():
            self.comments.add_comment(result["case_id"], user=user, body=note, task_uuid=task_uuid)
        return result

    def bulk_reassign(self, task_uuids: list[str], assignee: str, *, user: str) -> list[dict]:
        """One transaction per task, so one refused task does not block the others."""
        with self.core.uow(write=False) as uow:
            if not self.core.actor(uow.session, user).is_supervisor:
                raise NotAllowed("only a director reassigns tasks in bulk")
        results = []
        for uuid in task_uuids[:500]:
            try:
                self.assign_task(uuid, assignee, user=user)
                results.append({"id": uuid, "ok": True, "error": None})
            except XinfangError as err:
                results.append({"id": uuid, "ok": False, "error": err.message})
        return results

    # -- counts -----------------------------------------------------------------------------
    def case_counts(self, *, user: str, now: datetime | None = None) -> dict:
        """Counts by status, by category of open cases and of overdue work, in the user's scope."""
        now = now or utcnow()
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            if not (actor.is_office or actor.unit):
                raise NotAllowed("no case statistics for your role")
            scope = case_scope(actor)
            s = uow.session
            by_status = dict(s.execute(select(Case.status, func.count()).where(*scope).group_by(Case.status)).all())
            open_scope = [*scope, Case.status.in_(("running", "suspended", "error"))]
            by_category = {k or "": v for k, v in s.execute(
                select(Case.category, func.count()).where(*open_scope).group_by(Case.category)).all()}
            overdue_cases = s.scalar(select(func.count()).select_from(Case).where(*open_scope, Case.due_at < now))
            task_scope = [HumanTask.state == "open", HumanTask.case_id.in_(select(Case.id).where(*scope))] \
                if scope else [HumanTask.state == "open"]
            open_tasks = s.scalar(select(func.count()).select_from(HumanTask).where(*task_scope))
            overdue_tasks = s.scalar(select(func.count()).select_from(HumanTask).where(
                *task_scope, HumanTask.due_at < now))
        return {"as_of": now.isoformat(), "cases_by_status": by_status, "open_cases_by_category": by_category,
                "overdue_cases": overdue_cases or 0, "open_tasks": open_tasks or 0,
                "overdue_tasks": overdue_tasks or 0}


def _page(session: Session, q, counts: list, page, per_page, render) -> dict:
    try:
        page, per_page = max(1, int(page or 1)), max(1, min(views.MAX_PER_PAGE, int(per_page or 50)))
    except (TypeError, ValueError):
        raise ValidationFailed("page and per_page must be whole numbers") from None
    page = min(page, 100_000)
    rows = session.execute(q.offset((page - 1) * per_page).limit(per_page + 1),
                           {BRANCH_ROWS: page * per_page + 1}).all()
    more, rows = len(rows) > per_page, rows[:per_page]
    if page == 1 and not more:
        total = len(rows)           # the page holds them all: no count queries
    else:
        total = sum(session.scalar(count) or 0 for count in counts())
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    pages = max(1, -(-total // per_page), page + 1 if more else page)
    return {"items": [render(r) for r in rows], "total": total, "total_capped": capped, "page": page,
            "per_page": per_page, "pages": pages}


def _filter_dict(row: SavedFilter) -> dict:
    return {"id": row.id, "name": row.name, "owner": row.owner, "group": row.group_name, "query": row.query}


