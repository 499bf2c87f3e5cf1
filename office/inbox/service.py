"""The task inbox: views, filters (saved and shared), delegation and bulk reassignment.

Claims, delegation and reassignment touch only the inbox projection (`human_task`);
the case itself is never suspended for them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.store import repository
from engine import queries as views
from office.access import (Actor, case_scope, check_can_work, check_case_visible, may_search_names,
                           name_search_scope)
from office.people.audit import log_access
from engine.clock import utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed, XinfangError
from engine.store.models import Case, HumanTask
from engine.projection import record
from office.inbox.pages import SORTS, inbox_query, page_of
from office.inbox.tables import SavedFilter
from office.dates import deadline
from office.directory import regions
from office.directory.names import Names
INBOX_VIEWS = ("inbox", "mine", "groups", "all", "delegated")
FILTER_KEYS = ("view", "category", "region", "unit", "channel", "overdue", "search", "sort", "desc",
               "assignee", "due_before")


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


BADGES = ("urgent", "skip_level", "sensitive")       # flags a row shows (紧急, 越级访, 敏感), in this order


def task_row(row, now: datetime) -> dict:
    out = views.task_dict(row)
    out["owner"] = row.owner
    out["deadline"] = deadline(row.due_at, now)
    out["overdue"] = bool(out["deadline"] and out["deadline"]["overdue"])
    facts = row.case_facts or {}          # the case's projected facts, read with the page
    out["flags"] = [f for f in BADGES if facts.get(f) is True]
    return out


def name_rows(names: Names, rows: list[dict]) -> None:
    """Names beside the codes an inbox row holds: its unit(s), its assignee and delegator."""
    people = names.people([r.get("assignee") for r in rows] + [r.get("owner") for r in rows])
    for row in rows:
        row["unit_names"] = names.units(row.get("unit"))
        row["region_name"] = names.region(row.get("region")) if row.get("region") else ""
        row["assignee_name"] = people.get(row.get("assignee"), "")
        row["owner_name"] = people.get(row.get("owner"), "")


class Inbox:
    """The inbox: views and counts, saved filters, claims, delegation and reassignment."""

    def __init__(self, core, comments, find_by_name):
        self.core = core
        self.comments = comments
        self.find_by_name = find_by_name     # (session, name) -> case ids, through the keyed hashes

    def inbox(self, *, user: str, filters: dict | None = None, page: int = 1, per_page: int = 50,
              now: datetime | None = None, count: bool = False) -> dict:
        """A page of the inbox. `total` is exact when the rows end on this page; otherwise it is
        None unless `count` asks for it (capped at 1000: `total_capped`), and `more` says
        whether a next page follows."""
        now = now or utcnow()
        filters = clean_filters(filters or {})
        if filters.get("region"):           # typed or picked by name: 樊城区 means 420606
            found, _ = regions.resolve(filters["region"])
            filters["region"] = found.code if found else filters["region"]
        searching = bool(filters.get("search"))
        with self.core.uow(write=searching, reads_alone=not searching) as uow:
            actor = self.core.actor(uow.session, user)
            if searching:
                filters["_name_case_ids"] = self.cases_by_person_name(uow.session, actor, filters["search"])
            query, counts = inbox_query(actor, filters, now)
            result = page_of(uow.session, query, counts, page, per_page, lambda r: task_row(r, now), count)
            name_rows(Names(uow.session), result["items"])
            if searching:                  # every search is on record, like every opening
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

    def run_filter(self, filter_id: int, *, user: str, page: int = 1, per_page: int = 50,
                   count: bool = False) -> dict:
        now = utcnow()
        saved = next((f for f in self.list_filters(user=user) if f["id"] == filter_id), None)
        if saved is None:
            raise NotFound(f"no saved filter {filter_id} for you")
        return self.inbox(user=user, filters=resolve_placeholders(saved["query"], user, now), page=page,
                          per_page=per_page, now=now, count=count)

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


def _filter_dict(row: SavedFilter) -> dict:
    return {"id": row.id, "name": row.name, "owner": row.owner, "group": row.group_name, "query": row.query}


