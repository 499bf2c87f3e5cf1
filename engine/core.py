"""The workflow core as the office's features see it: transactions, who is acting, one step.

`Core` knows nothing of petitions. Features register with it what they need — step hooks and
projectors, handler dependencies, the actor type, a guard for submitted data — and call
`run_step` (inside their own transaction), `step_in` (in a unit of work they opened, then
committed) or `step` / `start` (which open one).
"""
from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Row, insert
from sqlalchemy.orm import Session, make_transient_to_detached

from engine import deployment, queries
from engine.bpmn.forms import FormRegistry
from engine.bpmn import runtime
from engine.clock import utcnow
from engine.dependencies import core_dependencies
from engine.errors import CaseFailed, Conflict, XinfangError
from engine.settings import Settings
from engine.steps import Action, Dependency, DependencyFactory, SpecCache, StepOutcome, StepRunner, is_conflict
from engine.store import db, repository
from engine.store.models import Case
from engine.store import unit_of_work
from engine.store.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
# The request's user as read with its token or session (Core.remember_actor), so that the service
# it calls does not read the user and groups again; cleared when the request ends.
_KNOWN_ACTOR: ContextVar = ContextVar("xinfang_known_actor", default=None)
DataGuard = Callable[[Session, Case, dict], dict]


class Actor:
    """Who is acting: a user with groups and a unit. Features subclass it with their role rules."""

    __slots__ = ("username", "groups", "unit")

    def __init__(self, username: str, groups: frozenset[str] = frozenset(), unit: str | None = None):
        self.username, self.groups, self.unit = username, frozenset(groups), unit

    def __eq__(self, other) -> bool:
        return isinstance(other, Actor) and (self.username, self.groups, self.unit) == \
            (other.username, other.groups, other.unit)

    def __hash__(self) -> int:
        return hash((self.username, self.groups, self.unit))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.username!r}, {sorted(self.groups)}, {self.unit!r})"


class Core:
    def __init__(self, settings: Settings | None = None, engine: Engine | None = None, *, handlers,
                 actor_type: type[Actor] = Actor, internal_actors: dict[str, Actor] | None = None):
        """`handlers`: the registry service tasks name (.get_handler); `internal_actors`: the
        system's own actors (the scheduler, the system), never looked up as users."""
        self.settings = settings or Settings.from_env()
        runtime.set_library_log_level(self.settings.log_level)
        self.engine = engine or db.make_engine(self.settings)
        self.sessions = db.make_session_factory(self.engine)
        self.zone = ZoneInfo(self.settings.timezone)
        self.forms = FormRegistry(self.settings.bpmn_dir / "forms")
        self.runner = StepRunner(SpecCache(sessions=self.sessions), handlers, self.settings.max_tree_depth,
                                 core_dependencies(self.zone), budget=self.settings.step_seconds)
        self.actor_type = actor_type
        self.internal_actors = dict(internal_actors or {})
        self.data_guard: DataGuard | None = None

    # -- registration -------------------------------------------------------------------------
    def register_dependency(self, name: str, factory: DependencyFactory, *, writes: bool = False) -> None:
        """A handler asking for `name` gets `factory(session, case, now, actor)`, built once per step."""
        self.runner.dependencies[name] = Dependency(factory, writes)

    def add_projector(self, projector: Callable[[Case, dict], None]) -> None:
        """Copies facts from the case data onto the case row before its task rows are rebuilt."""
        self.runner.projectors.append(projector)

    def close_timers_with_tasks(self, *kinds: str) -> None:
        """Timer rows of these kinds, armed by a feature on a task (reminders), are cancelled by
        the step that closes the task, with the step's other timer writes."""
        self.runner.task_timers = self.runner.task_timers | frozenset(kinds)

    def add_step_hook(self, hook) -> None:
        """`hook(session, case, data, saved_step)` after every saved step, in its transaction."""
        self.runner.hooks.append(hook)

    # -- plumbing -----------------------------------------------------------------------------
    def uow(self, write: bool = True, *, reads_alone: bool = False) -> UnitOfWork:
        return UnitOfWork(self.sessions, write=write, reads_alone=reads_alone)

    def actor(self, session: Session, username: str | None) -> Actor:
        """The acting user with groups and unit; an internal actor's name is never a user's."""
        if username is None:
            return self.internal_actors["system"]
        if username in self.internal_actors:
            return self.internal_actors[username]
        known = _KNOWN_ACTOR.get()
        if known is not None and known.username == username:
            return known
        unit, groups = repository.actor_row(session, username)
        return self.actor_type(username, frozenset(groups), unit)

    def remember_actor(self, username: str, groups, unit: str | None) -> None:
        """The current request's user, just read (with its groups and unit) by the caller: `actor`
        answers from it for the rest of this request instead of reading them again."""
        _KNOWN_ACTOR.set(self.actor_type(username, frozenset(groups), unit))

    def end_request(self) -> None:
        """At the end of a request (worker threads serve many): forget its user, and return the
        connection it began a transaction on if no unit of work took it over."""
        _KNOWN_ACTOR.set(None)
        unit_of_work.end_request()

    def run_step(self, session: Session, case: Case, action: Action, **options) -> StepOutcome:
        """The one way a case moves (see StepRunner.run_step); the caller commits."""
        return self.runner.run_step(session, case, action, **options)

    # -- steps in their own transaction -------------------------------------------------------
    def step(self, case_id: int, action: Action, *, retry: bool = False) -> StepOutcome:
        """One step of a case in a transaction of its own (see `step_in`)."""
        with self.uow() as uow:
            return self.step_in(uow, repository.get_case(uow.session, case_id), action, retry=retry)

    def step_in(self, uow: UnitOfWork, case: Case, action: Action, *, retry: bool = False,
                open_rows: list | None = None) -> StepOutcome:
        """Runs one step in the caller's open unit of work — after the caller's own checks, on the
        case it read — and commits. A case that stops in error is committed so, then reported as
        CaseFailed; another step that won the race is reported as Conflict."""
        try:
            if case.status != "running" and not (retry and case.status == "error"):
                raise Conflict(f"case {case.id} is {case.status}")
            outcome = self.run_step(uow.session, case, self._guarded(uow.session, case, action),
                                    rows=None if open_rows is None else (open_rows, None))
            uow.commit()
        except Exception as err:
            if is_conflict(err):
                raise Conflict("the case was changed by someone else at the same time; reload and try again") from err
            raise
        return _reported(outcome)

    def start(self, definition_key: str, data: dict, *, actor: str, version: int | None = None) -> StepOutcome:
        """A new case of the latest (or a given) version, started in one transaction."""
        with self.uow() as uow:
            self.actor(uow.session, actor)           # an unknown or inactive user starts nothing
            definition = repository.definition_ref(uow.session, definition_key, version)
            case = self.new_case(uow.session, definition, actor)
            if self.data_guard is not None:
                data = self.data_guard(uow.session, case, data)
            outcome = self.run_step(uow.session, case, Action.start(actor), data=data)
            uow.commit()
        return _reported(outcome)

    def new_case(self, session: Session, definition: Row, actor: str) -> Case:
        """The case row, inserted by one prebuilt statement and then known to the session as read
        (the ORM's flush of a new row cost a millisecond per registration); every column is set
        here, and the step's save writes what the step assigns. `definition`: its id, process_key
        and version (repository.definition_ref); the Definition itself loads only if the spec
        cache misses."""
        now = utcnow()
        values = {c.key: None for c in _CASES.columns if c.key != "id"}
        values.update(status="running", process_key=definition.process_key, definition_id=definition.id,
                      definition_version=definition.version, started_by=actor,
                      call_bindings=self.runner.specs.bind(session, definition), created_at=now, updated_at=now,
                      state=b"", state_format="", lib_version="", subject="", petitioner="", is_repeat=False,
                      tree_depth=0, row_version=1)
        case = Case(id=session.connection().execute(_NEW_CASE, values).scalar_one(), **values)
        make_transient_to_detached(case)
        session.add(case)
        return case

    def _guarded(self, session: Session, case: Case, action: Action) -> Action:
        if self.data_guard is None or not action.data or action.kind.value != "complete":
            return action
        return Action.complete(action.actor, action.task_uuid, self.data_guard(session, case, action.data))

    # -- definitions --------------------------------------------------------------------------
    def validate(self, files: dict[str, bytes | str]) -> list[dict]:
        """Problems a deploy would report, without storing anything."""
        with self.uow(write=False) as uow:
            try:
                self._prepare(uow.session, files)
            except XinfangError as err:
                return err.details or [{"file": "", "line": None, "element": None, "message": err.message}]
        return []

    def deploy(self, files: dict[str, bytes | str], *, user: str = "system") -> list[dict]:
        with self.uow() as uow:
            prepared = self._prepare(uow.session, files)
            result = deployment.store(uow.session, prepared, user, utcnow())
            uow.commit()
        return result

    def _prepare(self, session: Session, files: dict[str, bytes | str]) -> list:
        return deployment.prepare(session, files, self.settings.bpmn_dir / "forms", self.runner.handlers,
                                  set(self.runner.dependencies))

    def list_processes(self) -> list[dict]:
        with self.uow(write=False) as uow:
            return queries.processes(uow.session)

    def init_db(self) -> None:
        db.upgrade(self.engine)


_CASES = Case.__table__
_NEW_CASE = insert(_CASES).returning(_CASES.c.id)


def _reported(outcome: StepOutcome) -> StepOutcome:
    if outcome.error is not None:
        case = outcome.case
        raise CaseFailed(f"case {case.id} stopped in error: {outcome.error}",
                         {"case_id": case.id, "task": case.error_task})
    return outcome
