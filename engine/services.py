"""The service API: the only way web, CLI, scheduler and tests change or read the system.

Every method opens its own unit of work and returns plain dicts.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import Engine

from processes import deadlines
from processes.calendar import local_day

from . import db, deployment, identity, reminders, views, repository
from .access import SYSTEM, Actor, check_can_reveal, check_can_work, check_case_visible, check_not_routed_to_accused
from .deadline_audit import provisional_deadline_hook
from .documents import DocumentServices, DocumentStore
from .health import HealthServices
from .lookup import CaseLookup
from .models import AccessLog, Case
from .clock import utcnow
from .errors import CaseFailed, Conflict, NotAllowed, NotFound, ValidationFailed, XinfangError
from .forms import FormRegistry
from .inputs import checked_object as _object
from .projection import record
from .ports import DependencyFactory, core_factories
from .runtime import StepLog
from .scripting import lazy
from .settings import Settings
from .steps import ENGINE_FAILURES, Action, SpecCache, StepRunner, describe, is_conflict
from .unit_of_work import UnitOfWork
from .users import UserAdmin
from .timer_services import TimerServices
from .web_services import WebServices
from .editor_services import EditorActions, EditorServices
from .kpi_services import KpiServices
from .dashboard_exports import DashboardServices
from .analysis_services import AnalysisServices
from .kpi_projection import update_metrics

log = logging.getLogger(__name__)


class Services(UserAdmin, WebServices, TimerServices, DocumentServices, HealthServices, KpiServices, DashboardServices,
               EditorServices, EditorActions, AnalysisServices):
    def __init__(self, settings: Settings | None = None, engine: Engine | None = None):
        self.settings = settings or Settings.from_env()
        self.engine = engine or db.make_engine(self.settings)
        self.sessions = db.make_session_factory(self.engine)
        self.factories: dict[str, DependencyFactory] = core_factories()
        self.forms = FormRegistry(self.settings.bpmn_dir / "forms")
        self.runner = StepRunner(SpecCache(), self._dependencies, self.settings.max_tree_depth)
        self.runner.hooks.append(update_metrics)
        self.register_dependency("lookup", lambda session, case, now, actor: CaseLookup(session, case.id))
        self.register_dependency("deadlines", self._deadline_table)
        self.register_dependency("documents", self._document_store)
        self.runner.hooks.append(reminders.step_hook(self._reminder_offsets))
        self.runner.hooks.append(provisional_deadline_hook)
        self._keys: identity.Keys | None = None

    # -- plumbing ---------------------------------------------------------------------------
    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.sessions, write=write)

    def init_db(self) -> None:
        db.upgrade(self.engine)

    def check_ready_to_start(self) -> None:
        """Refuses to run on an old schema or on cases this library version cannot load."""
        from .compat import check_stored_cases
        if not db.migrations_current(self.engine):
            raise ValidationFailed("the database schema is not current; run `xinfang init-db` first")
        check_stored_cases(self.engine)

    @property
    def keys(self) -> identity.Keys:
        if self._keys is None:
            self._keys = identity.load_keys(self.settings)
        return self._keys

    def _protect(self, session, case, data: dict) -> dict:
        return identity.protect(session, self.keys, case.id, data, utcnow())

    def log_access(self, session, user: str, action: str, case_id: int | None, detail: str = "") -> None:
        session.add(AccessLog(at=utcnow(), username=user, action=action, case_id=case_id, detail=detail[:2000]))

    def _deadline_table(self, session, case, now, actor=None) -> deadlines.DeadlineTable:
        """The table in force when the case was registered: a case keeps its limits."""
        return deadlines.load_table(self.settings.jurisdiction, on=local_day(case.created_at or now))

    def _document_store(self, session, case, now, actor: str = "system") -> DocumentStore:
        def names() -> list[str]:
            return [p["name"] for p in identity.reveal(session, self.keys, case.id)
                    if p["role"] == "petitioner" and p["name"]]
        return DocumentStore(session, case, now, office=self.settings.office_name, names=names, actor=actor)

    def _reminder_offsets(self, name: str) -> tuple[int, ...] | None:
        try:
            return deadlines.load_table(self.settings.jurisdiction).rule(name).reminders
        except KeyError:
            return None

    def register_dependency(self, name: str, factory: DependencyFactory) -> None:
        self.factories[name] = factory

    def _dependencies(self, session, case, actor: str) -> dict:
        now = utcnow()
        return {name: lazy(lambda f=f: f(session, case, now, actor)) for name, f in self.factories.items()}

    # -- definitions ------------------------------------------------------------------------
    def validate(self, files: dict[str, bytes | str]) -> list[dict]:
        """Problems a deploy would report, without storing anything."""
        with self.uow(write=False) as uow:
            try:
                deployment.prepare(uow.session, files, self.settings.bpmn_dir / "forms")
            except XinfangError as err:
                return err.details or [{"file": "", "line": None, "element": None, "message": err.message}]
        return []

    def deploy(self, files: dict[str, bytes | str], *, user: str = "system") -> list[dict]:
        with self.uow() as uow:
            prepared = deployment.prepare(uow.session, files, self.settings.bpmn_dir / "forms")
            result = deployment.store(uow.session, prepared, user, utcnow())
            uow.commit()
        return result

    def list_processes(self) -> list[dict]:
        with self.uow(write=False) as uow:
            return views.processes(uow.session)

    # -- cases ------------------------------------------------------------------------------
    def start_case(self, key: str, data: dict | None = None, *, user: str = "system",
                   version: int | None = None) -> dict:
        data = _object(data, "case data")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                    or not 1 <= version <= 2**31 - 1):
            raise ValidationFailed(f"version must be a whole number from 1, not {version!r}")
        action = Action("start", user)
        now = utcnow()
        with self.uow() as uow:
            self._actor(uow.session, user)
            definition = repository.definition_version(uow.session, key, version)
            case, wf = self.runner.new_case(uow.session, definition, data, user, now, self._protect)
            initial_state = case.state
            steplog = StepLog()
            try:
                self.runner.apply(wf, action, steplog)
                step = self.runner.save(uow.session, case, wf, action, steplog, now)
                uow.commit()
                return views.case_summary(case, step.open_tasks)
            except ENGINE_FAILURES as err:
                uow.rollback()
                failure = err
        with self.uow() as uow:
            definition = repository.definition_version(uow.session, key, version)
            case, _ = self.runner.new_case(uow.session, definition, data, user, now, self._protect)
            case.state = initial_state
            self.runner.mark_error(uow.session, case, action, failure, now)
            uow.commit()
            raise CaseFailed(f"case {case.id} stopped in error: {case.error_message}",
                             {"case_id": case.id, "task": case.error_task})

    def get_case(self, case_id: int, *, user: str | None = None, events: int = 200) -> dict:
        """With a `user`, access is checked and the opening is written to the access log."""
        with self.uow(write=user is not None) as uow:
            case = repository.get_case(uow.session, case_id)
            actor = SYSTEM
            if user is not None:
                actor = self._actor(uow.session, user)
                check_case_visible(actor, case, uow.session)
                self.log_access(uow.session, user, "open", case_id)
            wf = self.runner.load(uow.session, case, user or "system", utcnow())
            detail = views.case_detail(uow.session, case, wf, events)
            uow.commit()
            if not actor.is_office:      # the query code lets its holder rate the handling: office only
                detail["data"].pop("query_code", None)
            return detail

    def reveal_identities(self, case_id: int, *, user: str, purpose: str) -> list[dict]:
        """Decrypted identities for a role that needs them; every reveal is logged with its purpose."""
        if not (purpose or "").strip():
            raise ValidationFailed("say why you need the full identity data (purpose)")
        with self.uow() as uow:
            case = repository.get_case(uow.session, case_id)
            actor = self._actor(uow.session, user)
            check_case_visible(actor, case, uow.session)
            check_can_reveal(actor, case)
            people = identity.reveal(uow.session, self.keys, case_id)
            self.log_access(uow.session, user, "reveal", case_id, purpose.strip())
            uow.commit()
            return people

    def rotate_keys(self) -> int:
        with self.uow() as uow:
            count = identity.rotate(uow.session, self.keys)
            uow.commit()
            return count

    def list_cases(self, *, user: str | None = None, status: str | None = None, page: int = 1,
                   per_page: int = 50) -> dict:
        with self.uow(write=False) as uow:
            actor = self._actor(uow.session, user) if user else SYSTEM
            return views.cases(uow.session, actor, status=status, page=page, per_page=per_page)

    # -- tasks ------------------------------------------------------------------------------
    def list_tasks(self, *, user: str | None = None, groups: list[str] | None = None,
                   filters: dict | None = None, page: int = 1, per_page: int = 50,
                   case_id: int | None = None, state: str = "open") -> dict:
        filters = filters or {}
        with self.uow(write=bool(user and filters.get("search"))) as uow:
            actor = self._actor(uow.session, user) if user else None
            result = views.tasks(uow.session, actor, groups=groups, filters=filters, page=page,
                                 per_page=per_page, case_id=case_id, state=state)
            if user and filters.get("search"):
                self.log_access(uow.session, user, "search", None, f"inbox search: {filters['search']}")
                uow.commit()
            return result

    def get_task(self, task_uuid: str, *, user: str | None = None) -> dict:
        with self.uow(write=False) as uow:
            row = repository.human_task(uow.session, task_uuid)
            case = repository.get_case(uow.session, row.case_id)
            if user is not None:
                check_case_visible(self._actor(uow.session, user), case, uow.session)
            return views.task_dict(row, form=self.forms.get(row.form_key, case))

    def complete_task(self, task_uuid: str, *, user: str, data: dict | None = None) -> dict:
        data = _object(data, "form data")

        def locate(session) -> Case:
            actor = self._actor(session, user)
            row = repository.human_task(session, task_uuid)
            if row.state != "open":
                raise Conflict(f"task is already {row.state}")
            case = repository.get_case(session, row.case_id)
            check_can_work(actor, row)
            check_case_visible(actor, case, session, working=True)
            check_not_routed_to_accused(case, data)
            if row.owner and row.owner != actor.username:
                raise NotAllowed(f"this task is delegated by {row.owner}: hand it back (resolve) for them to complete")
            errors = self.forms.validate(row.form_key, data, case)
            if errors:
                raise ValidationFailed("the form has errors", errors)
            if ":" in row.bpmn_id:
                raise _OutsideEngine(row.case_id)
            return case
        try:
            return self._step(None, Action("complete", user, task_uuid=task_uuid, data=data), locate=locate)
        except _OutsideEngine:
            return self._complete_outside_engine(task_uuid, user, data)

    def _complete_outside_engine(self, task_uuid: str, user: str, data: dict) -> dict:
        """督办 and other read-table-only tasks close without touching the workflow."""
        with self.uow() as uow:
            row = repository.human_task(uow.session, task_uuid)
            if row.state != "open":
                raise Conflict(f"task is already {row.state}")
            now = utcnow()
            row.state, row.completed_at, row.completed_by = "completed", now, user
            record(uow.session, row.case_id, "task_completed", actor=user, at=now, message=row.name,
                   task_uuid=row.task_uuid, bpmn_id=row.bpmn_id, data=data)
            case = repository.get_case(uow.session, row.case_id)
            uow.commit()
            return views.case_summary(case)

    # -- operations -------------------------------------------------------------------------
    def retry_case(self, case_id: int, *, user: str) -> dict:
        with self.uow(write=False) as uow:
            actor = self._actor(uow.session, user)
            if not actor.is_supervisor:
                raise NotAllowed("only an administrator or director can retry a case")
            case = repository.get_case(uow.session, case_id)
            if case.status != "error":
                raise Conflict(f"case {case_id} is {case.status}, not in error")
            action = Action.from_dict(case.pending_action or {"kind": "start", "actor": user})
        return self._step(case_id, action, retry=True)

    def suspend_case(self, case_id: int, *, user: str, reason: str = "") -> dict:
        return self._set_status(case_id, user, "suspended", {"running"}, reason)

    def resume_case(self, case_id: int, *, user: str, reason: str = "") -> dict:
        return self._set_status(case_id, user, "running", {"suspended"}, reason)

    def terminate_case(self, case_id: int, *, user: str, reason: str = "") -> dict:
        return self._set_status(case_id, user, "terminated", {"running", "suspended", "error"}, reason)

    def _set_status(self, case_id, user, status, allowed_from, reason) -> dict:
        with self.uow() as uow:
            actor = self._actor(uow.session, user)
            if not actor.is_supervisor:
                raise NotAllowed(f"only an administrator or director can set a case {status}")
            case = repository.get_case(uow.session, case_id)
            if case.status not in allowed_from:
                raise Conflict(f"case {case_id} is {case.status}; cannot become {status}")
            now = utcnow()
            case.status, case.updated_at = status, now
            views.set_case_rows_state(uow.session, case, status, now)
            record(uow.session, case.id, f"case_{status}", actor=user, at=now, message=reason)
            uow.commit()
            return views.case_summary(case)

    # -- the step ---------------------------------------------------------------------------
    def _step(self, case_id: int | None, action: Action, *, retry: bool = False, expect_running: bool = False,
              locate=None) -> dict:
        """One step in one transaction; `locate(session) -> Case` runs the caller's checks inside it
        (and hands over the loaded case: the session only holds it weakly)."""
        now = utcnow()
        raw = action.data
        try:
            with self.uow() as uow:
                case = locate(uow.session) if locate is not None else repository.get_case(uow.session, case_id)
                case_id = case.id
                if case.status != "running" and not (retry and case.status == "error"):
                    raise Conflict(f"case {case_id} is {case.status}")
                action = self._protected(uow.session, case, action, raw)
                wf = self.runner.load(uow.session, case, action.actor, now)
                steplog = StepLog()
                try:
                    self.runner.apply(wf, action, steplog)
                except ENGINE_FAILURES as err:
                    failure = err
                else:
                    step = self.runner.save(uow.session, case, wf, action, steplog, now)
                    uow.commit()
                    return views.case_summary(case, step.open_tasks)
        except Exception as err:
            if is_conflict(err):
                raise Conflict("the case was changed by someone else at the same time; reload and try again") from err
            raise
        with self.uow() as uow:
            case = repository.get_case(uow.session, case_id)
            action = self._protected(uow.session, case, action, raw)   # the failed step's parties rolled back
            self.runner.mark_error(uow.session, case, action, failure, now)
            views.bump_timer_attempts(uow.session, case, action, describe(failure))
            uow.commit()
        raise CaseFailed(f"case {case_id} stopped in error: {describe(failure)}",
                         {"case_id": case_id, "task": case.error_task})

    def _protected(self, session, case, action: Action, raw: dict | None) -> Action:
        """Identities in submitted data are encrypted before anything can store them."""
        if not raw or not any(key in raw for key in identity.PEOPLE):
            return action
        return replace(action, data=self._protect(session, case, raw))

    def _actor(self, session, username: str | None) -> Actor:
        if username in (None, "system", "scheduler"):
            return SYSTEM
        unit, groups = repository.actor_row(session, username)
        return Actor(username, frozenset(groups), unit)


class _OutsideEngine(Exception):
    """Raised inside the step's checks when the task is not a workflow task."""


__all__ = ["Services", "NotFound"]
