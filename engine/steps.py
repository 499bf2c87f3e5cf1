"""One engine step: load, act, run the engine, guard, project, save — `StepRunner.run_step`.

A step either writes the workflow blob, the read tables and the audit events together, or
leaves the case as it was and records why in `error`. Start, task completion, timer firing
(one case or a batch), a moved deadline and a version migration are all steps of this one kind.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Callable

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import projection
from engine.bpmn import pruning, runtime, serialization, versioning
from engine.bpmn.timer_bounds import TimerOutOfRange
from engine.bpmn.scripting import ScriptsForbidden, StepContext, attach, lazy
from engine.clock import utcnow
from engine.spec_cache import SpecCache
from engine.errors import Conflict
from engine.store.models import Case, Definition

log = logging.getLogger(__name__)
ENGINE_FAILURES = (SpiffWorkflowException, runtime.LoopLimit, ScriptsForbidden, RecursionError, TimerOutOfRange,
                   OverflowError, runtime.StepBudgetExceeded)


class ActionKind(str, Enum):
    START = "start"
    COMPLETE = "complete"
    TIMERS = "timers"
    DEADLINE = "deadline"
    MIGRATE = "migrate"
    REBUILD = "rebuild"


@dataclass
class Action:
    """What a step does to the workflow; stored on the case when it fails, so retry replays it.
    Build one with the class methods; `kind` says which, never an id or an exception."""

    kind: ActionKind
    actor: str
    task_uuid: str | None = None
    data: dict | None = None
    fire: list[str] | None = None  # timer task uuids to fire

    def __post_init__(self):
        self.kind = ActionKind(self.kind)

    @classmethod
    def start(cls, actor: str) -> "Action":
        return cls(ActionKind.START, actor)

    @classmethod
    def complete(cls, actor: str, task_uuid: str, data: dict) -> "Action":
        return cls(ActionKind.COMPLETE, actor, task_uuid=task_uuid, data=data)

    @classmethod
    def fire_timers(cls, actor: str, timer_uuids: list[str]) -> "Action":
        return cls(ActionKind.TIMERS, actor, fire=list(timer_uuids))

    @classmethod
    def move_deadline(cls, actor: str, name: str, due: datetime, reason: str = "") -> "Action":
        return cls(ActionKind.DEADLINE, actor, data={"name": name, "due": due.isoformat(), "reason": reason})

    @classmethod
    def migrate(cls, actor: str, definition_id: int) -> "Action":
        """Moves the workflow onto another version of its process (the caller checked it may)."""
        return cls(ActionKind.MIGRATE, actor, data={"definition_id": definition_id})

    @classmethod
    def rebuild(cls, actor: str) -> "Action":
        """Re-derives the read tables from the stored state (after a migration is reversed)."""
        return cls(ActionKind.REBUILD, actor)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        out["kind"] = self.kind.value
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "Action":
        return cls(**d)


@dataclass
class SavedStep:
    """What a step did, for read models that step hooks maintain (KPIs, reminders)."""

    action: Action
    engine_entries: list[dict]
    opened: list
    closed: list
    finished: bool
    now: datetime
    open_tasks: list
    fresh: bool = False      # the case's first step: nothing about it was stored before this transaction


@dataclass
class StepOutcome:
    """`saved` when the step went through; otherwise `error` says why the case stopped."""

    case: Case
    saved: SavedStep | None = None
    error: str | None = None

    @property
    def open_tasks(self) -> list:
        return self.saved.open_tasks if self.saved else []


DependencyFactory = Callable[[Session, Case, datetime, str], object]   # (session, case, now, actor)


@dataclass
class Dependency:
    factory: DependencyFactory
    writes: bool = False     # writes to the database: the step takes a savepoint before building it


@dataclass
class StepRunner:
    specs: SpecCache
    handlers: object                          # .get_handler(name) -> function
    max_depth: int
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    projectors: list = field(default_factory=list)   # projector(case, data) before task rows are synced
    hooks: list = field(default_factory=list)        # hook(session, case, data, step) after each save
    task_timers: frozenset = frozenset()             # timer kinds features arm on a task: they close with it
    budget: float | None = 30.0                      # seconds a step may run (Settings.step_seconds)
    clock: Callable[[], float] = time.monotonic      # tests move it instead of sleeping

    # -- the one way to run a step ------------------------------------------------------------
    def run_step(self, session: Session, case: Case, action: Action, *, data: dict | None = None,
                 rows: tuple[list, list] | None = None, now: datetime | None = None) -> StepOutcome:
        """Load → apply → save inside the caller's transaction, or record the error on the case.

        `data`: the initial data of a START step. `rows`: the case's open task and waiting timer
        rows when a batch read them already. Handler writes happen inside a savepoint taken
        when the first writing dependency is built, so a failing step leaves nothing behind."""
        now = now or utcnow()
        fresh = action.kind is ActionKind.START and not case.state
        if fresh and rows is None:
            rows = ([], [])          # a case that never ran has no task or timer rows to read
        guard = _Savepoint(session)
        steplog = runtime.StepLog(budget=self.budget, clock=self.clock)
        try:
            wf = self._workflow(session, case, action, data or {}, now, guard)
            self._apply(session, case, wf, action, steplog)
        except ENGINE_FAILURES as err:
            guard.rollback()
            self.mark_error(session, case, action, err, now)
            return StepOutcome(case, error=describe(err))
        except BaseException:
            guard.rollback()
            raise
        guard.release()
        return StepOutcome(case, saved=self._save(session, case, wf, action, steplog, now, rows, fresh))

    def workflow_of(self, case: Case):
        """The case's workflow to read (its data, its diagram state); nothing runs on it."""
        spec, subs = self.specs.get_for(case)
        return serialization.load_state(case.state, spec, subs)

    def _workflow(self, session, case, action, data, now, guard):
        context = self._context(session, case, action.actor, now, guard)
        spec, subs = self.specs.get_for(case)
        if action.kind is ActionKind.START and not case.state:
            wf = runtime.new_workflow(spec, subs, data, context)
            case.state = serialization.dump_state(wf)     # what a retry of a failed start replays
            return wf
        return attach(serialization.load_state(case.state, spec, subs), context)

    def _context(self, session, case, actor, now, guard) -> StepContext:
        def build(dep: Dependency):
            def make():
                if dep.writes:
                    guard.take()
                return dep.factory(session, case, now, actor)
            return make
        deps = {name: lazy(build(dep)) for name, dep in self.dependencies.items()}
        return StepContext(case.id, actor, now, deps, handlers=self.handlers)

    def _apply(self, session: Session, case: Case, wf, action: Action, steplog: runtime.StepLog) -> None:
        kind = action.kind
        if kind is ActionKind.START:
            runtime.run_engine(wf, steplog)
        elif kind is ActionKind.COMPLETE:
            task = runtime.get_ready_user_task(wf, action.task_uuid)
            if task is None:
                raise Conflict("the task is no longer waiting for input")
            runtime.complete_user_task(wf, task, action.data or {}, steplog)
        elif kind is ActionKind.TIMERS:
            real_now = utcnow()
            for uuid in action.fire or ():
                runtime.move_timer(wf, uuid, real_now - timedelta(microseconds=1))
            runtime.fire_timers(wf, steplog)
        elif kind is ActionKind.DEADLINE:
            runtime.change_deadline(wf, action.data["name"], runtime.parse_instant(action.data["due"]))
        elif kind is ActionKind.MIGRATE:
            self._migrate(session, case, wf, action.data["definition_id"])
        runtime.check_loop_guard(wf, self.max_depth)
        steplog.check_budget()       # a single slow task (a handler) is caught here, after the fact

    def _migrate(self, session: Session, case: Case, wf, definition_id: int) -> None:
        target = session.get(Definition, definition_id)
        bindings = None if case.call_bindings is None else self.specs.bind(session, target, keep=case.call_bindings)
        new = self.specs.get(target) if bindings is None else \
            self.specs.assembled(session, target.id, bindings)
        problems, diffs = versioning.blockers(wf, new)
        if problems:
            raise Conflict(f"case {case.id} cannot move to version {target.version}: " + "; ".join(problems),
                           {"case_id": case.id, "problems": problems})
        versioning.migrate(wf, new, diffs)
        case.definition, case.definition_id, case.definition_version = target, target.id, target.version
        case.call_bindings = bindings

    # -- save ---------------------------------------------------------------------------------
    def _save(self, session: Session, case: Case, wf, action: Action, steplog: runtime.StepLog,
              now: datetime, rows: tuple[list, list] | None, fresh: bool = False) -> SavedStep:
        data = runtime.workflow_data(wf)
        projection.project_case(case, data)
        for projector in self.projectors:
            projector(case, data)
        finished = runtime.is_finished(wf)
        completed = action.task_uuid if action.kind is ActionKind.COMPLETE else None
        open_rows, waiting_rows = rows or (None, None)
        opened, closed, kept = projection.sync_tasks(session, case, wf, now=now, actor=action.actor,
                                                     completed_uuid=completed, open_rows=open_rows)
        next_due = projection.sync_timers(session, case, wf, now=now, waiting_rows=waiting_rows,
                                          closed=frozenset(r.task_uuid for r in closed), task_timers=self.task_timers)
        pruning.prune(wf)     # after the guard and the read tables: they may name tasks this step finished
        case.state = serialization.dump_state(wf)
        case.state_format = serialization.STATE_FORMAT
        case.lib_version = serialization.LIB_VERSION
        case.tree_depth = runtime.tree_depth(wf)
        case.next_due_at = next_due
        case.due_at = min((t.due_at for t in opened + kept if t.due_at), default=None)
        case.updated_at = now
        case.error_message = case.error_task = case.pending_action = None
        if finished:
            case.status, case.completed_at = "complete", now
        elif case.status == "error":
            case.status = "running"
        projection.record_many(session, step_events(case, action, steplog, opened, closed, now, finished))
        step = SavedStep(action, steplog.entries, opened, closed, finished, now, opened + kept, fresh)
        for hook in self.hooks:
            hook(session, case, data, step)
        write_case(session, case)
        return step

    def mark_error(self, session: Session, case: Case, action: Action, err: BaseException,
                   now: datetime) -> None:
        task = getattr(err, "task", None)
        case.status = "error"
        case.error_message = describe(err)[:4000]
        case.error_task = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
        case.pending_action = action.as_dict()
        case.updated_at = now
        projection.record(session, case.id, "error", actor=action.actor, at=now, message=case.error_message,
                          bpmn_id=case.error_task, data={"action": action.kind.value})
        if action.kind is ActionKind.TIMERS and action.fire:
            projection.bump_timer_attempts(session, case.id, action.fire, case.error_message)


def step_events(case: Case, action: Action, steplog, opened, closed, now: datetime, finished: bool) -> list[dict]:
    """The audit trail of one step, in the order things happened."""
    events = []

    def rec(kind, task_uuid=None, bpmn_id=None, message="", data=None):
        events.append({"case_id": case.id, "kind": kind, "actor": action.actor, "at": now,
                       "task_uuid": task_uuid, "bpmn_id": bpmn_id, "message": message, "data": data})
    if action.kind is ActionKind.START:
        rec("case_started", message=f"{case.process_key} v{case.definition_version}")
    elif action.kind is ActionKind.DEADLINE:
        rec("deadline_changed", message=action.data.get("reason", ""), data=action.data)
    for row in closed:
        if row.state == "completed":
            rec("task_completed", row.task_uuid, row.bpmn_id, row.name, action.data or {})
        else:
            rec("task_cancelled", row.task_uuid, row.bpmn_id, row.name)
    for entry in steplog.entries:
        fired = action.kind is ActionKind.TIMERS and entry["task_uuid"] in (action.fire or ())
        rec("timer_fired" if fired else "engine_step", entry["task_uuid"], entry["bpmn_id"], entry["name"],
            {"type": entry["type"]})
    for row in opened:
        rec("task_created", row.task_uuid, row.bpmn_id, row.name,
            {"groups": row.groups, "due_at": row.due_at.isoformat() if row.due_at else None})
    if finished:
        rec("case_completed")
    return events


class _Savepoint:
    """Taken only when a step builds a dependency that writes (most steps write nothing before
    their save, and a SAVEPOINT costs two round trips)."""

    def __init__(self, session: Session):
        self.session = session
        self.nested = None

    def take(self) -> None:
        if self.nested is None:
            self.nested = self.session.begin_nested()

    def rollback(self) -> None:
        if self.nested is not None and self.nested.is_active:
            self.nested.rollback()

    def release(self) -> None:
        if self.nested is not None and self.nested.is_active:
            self.nested.commit()


# Everything a step may change on its case (projection, save, hooks, a version migration), written
# by one prebuilt UPDATE: a column set elsewhere before save() must be listed here or it is lost.
STEP_COLUMNS = projection.CASE_COLUMNS + ("definition_id", "definition_version",
    "is_repeat", "main_case_id", "facts", "petitioner", "state", "state_format", "lib_version", "tree_depth",
    "next_due_at", "due_at", "updated_at", "error_message", "error_task", "pending_action", "status",
    "completed_at", "metrics_digest", "call_bindings")
_CASES = Case.__table__
WRITE_CASE = (update(_CASES).where(_CASES.c.id == bindparam("_id"), _CASES.c.row_version == bindparam("_seen"))
               .values({**{c: bindparam(c) for c in STEP_COLUMNS}, "row_version": bindparam("_next")}))


# Rewritten by every step, or JSON a step may change in place (which attribute history misses)
ALWAYS_WRITTEN = ("state", "updated_at", "facts", "pending_action", "call_bindings")
_WRITES: dict[tuple, object] = {}


def _write_of(columns: tuple):
    """The guarded UPDATE of these columns, built once per set of columns (a handful occur)."""
    statement = _WRITES.get(columns)
    if statement is None:
        statement = (update(_CASES).where(_CASES.c.id == bindparam("_id"), _CASES.c.row_version == bindparam("_seen"))
                     .values({**{c: bindparam(c) for c in columns}, "row_version": bindparam("_next")}))
        if len(_WRITES) < 256:
            _WRITES[columns] = statement
    return statement


def write_case(session: Session, case: Case) -> None:
    """The step's case row as one UPDATE guarded by row_version, then the case leaves the
    session: the ORM's flush of the same row cost more than the rest of the save. Only the
    columns assigned since the case was read are written (the ORM keeps their old values in
    committed_state; a detached case keeps collecting them, so nothing assigned is ever left
    out). In a batch the UPDATE of every step column waits with the batch's other writes
    (projection.flush_deferred checks it)."""
    seen = case.row_version
    if projection.DEFERRED in session.info:
        statement, columns = WRITE_CASE, STEP_COLUMNS
    else:
        assigned = inspect(case).committed_state
        columns = tuple(c for c in STEP_COLUMNS if c in assigned or c in ALWAYS_WRITTEN)
        statement = _write_of(columns)
    values = {"_id": case.id, "_seen": seen, "_next": seen + 1, **{c: getattr(case, c) for c in columns}}
    if projection.DEFERRED in session.info:
        projection.write_later(session, statement, [values])
    elif session.connection().execute(statement, values).rowcount != 1:
        raise StaleDataError(f"case {case.id} was changed by another step (row_version {seen})")
    session.expunge(case)
    case.row_version = seen + 1


def describe(err: BaseException) -> str:
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    cause = err.__cause__ or getattr(err, "exception", None)
    if cause is not None and str(cause) and str(cause) not in message:
        message += f" ({type(cause).__name__}: {cause})"
    return message


def is_conflict(err: BaseException) -> bool:
    return isinstance(err, (StaleDataError, IntegrityError))
