"""One engine step = one transaction: load, act, run the engine, guard, project, save.

A step either commits the workflow blob, the read tables and the audit events
together, or leaves the case exactly as it was and records why in `error`.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import projection, runtime, serialization
from .clock import utcnow
from .errors import CaseFailed, Conflict
from .models import Case, Definition
from .scripting import ScriptsForbidden, StepContext, attach

log = logging.getLogger(__name__)
ENGINE_FAILURES = (SpiffWorkflowException, runtime.LoopLimit, ScriptsForbidden, RecursionError)


class SpecCache:
    """Parsed specs per definition id; definitions never change once stored."""

    def __init__(self, size: int = 64):
        self._items: OrderedDict[int, tuple] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()     # the scheduler fires cases on several threads

    def get_for(self, case: Case) -> tuple:
        with self._lock:
            found = self._items.get(case.definition_id)
            if found is not None:
                self._items.move_to_end(case.definition_id)
                return found
        return self.get(case.definition)

    def get(self, definition: Definition) -> tuple:
        with self._lock:
            found = self._items.get(definition.id)
            if found is not None:
                self._items.move_to_end(definition.id)
                return found
        found = serialization.load_specs(definition.spec)
        with self._lock:
            self._items[definition.id] = found
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return found


@dataclass
class Action:
    """What a step does to the workflow; stored on the case when it fails, so retry replays it."""

    kind: str                      # start | complete | timers | deadline
    actor: str
    task_uuid: str | None = None
    data: dict | None = None
    fire: list[str] | None = None  # timer task uuids to fire

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict) -> "Action":
        return cls(**d)


@dataclass
class SavedStep:
    """What a step did, for read models that projection hooks maintain (KPIs, reminders)."""

    action: Action
    engine_entries: list[dict]
    opened: list
    closed: list
    finished: bool
    now: datetime
    open_tasks: list


class StepRunner:
    def __init__(self, specs: SpecCache, dependencies, max_depth: int):
        self.specs = specs
        self.dependencies = dependencies      # callable(session, case, actor) -> dict of handler deps
        self.max_depth = max_depth
        self.hooks: list = []                 # extra read models: hook(session, case, data, step) after each save

    def context(self, session: Session, case: Case, actor: str, now: datetime) -> StepContext:
        return StepContext(case.id, actor, now, self.dependencies(session, case, actor))

    def load(self, session: Session, case: Case, actor: str, now: datetime):
        spec, subs = self.specs.get_for(case)
        wf = serialization.load_state(case.state, spec, subs)
        return attach(wf, self.context(session, case, actor, now))

    def new_case(self, session: Session, definition: Definition, data: dict, actor: str,
                 now: datetime, prepare=None) -> tuple[Case, object]:
        """`prepare(session, case, data)` runs once the case has an id (identity protection)."""
        case = Case(status="running", process_key=definition.process_key, definition=definition,
                    definition_id=definition.id, definition_version=definition.version, started_by=actor,
                    created_at=now, updated_at=now, state=b"", state_format=serialization.STATE_FORMAT,
                    lib_version=serialization.LIB_VERSION)
        session.add(case)
        session.flush()
        if prepare is not None:
            data = prepare(session, case, data)
        spec, subs = self.specs.get(definition)
        wf = runtime.new_workflow(spec, subs, data, self.context(session, case, actor, now))
        case.state = serialization.dump_state(wf)
        return case, wf

    def apply(self, wf, action: Action, steplog: runtime.StepLog) -> None:
        if action.kind == "start":
            runtime.run_engine(wf, steplog)
        elif action.kind == "complete":
            task = runtime.get_ready_user_task(wf, action.task_uuid)
            if task is None:
                raise Conflict("the task is no longer waiting for input")
            runtime.complete_user_task(wf, task, action.data or {}, steplog)
        elif action.kind == "timers":
            real_now = utcnow()
            for uuid in action.fire or ():
                runtime.move_timer(wf, uuid, real_now - timedelta(microseconds=1))
            runtime.fire_timers(wf, steplog)
        elif action.kind == "deadline":
            runtime.change_deadline(wf, action.data["name"], runtime.parse_instant(action.data["due"]))
        else:
            raise ValueError(f"unknown action {action.kind!r}")
        runtime.check_loop_guard(wf, self.max_depth)

    def save(self, session: Session, case: Case, wf, action: Action, steplog: runtime.StepLog,
             now: datetime, rows: tuple[list, list] | None = None) -> "SavedStep":
        """`rows`: the case's open task and waiting timer rows when a batch read them already."""
        data = runtime.workflow_data(wf)
        projection.project_case(case, data)
        finished = runtime.is_finished(wf)
        completed = action.task_uuid if action.kind == "complete" else None
        open_rows, waiting_rows = rows or (None, None)
        opened, closed, kept = projection.sync_tasks(session, case, wf, now=now, actor=action.actor,
                                                     completed_uuid=completed, open_rows=open_rows)
        next_due = projection.sync_timers(session, case, wf, now=now, waiting_rows=waiting_rows)
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
        self._record(session, case, action, steplog, opened, closed, now, finished)
        step = SavedStep(action, steplog.entries, opened, closed, finished, now, opened + kept)
        for hook in self.hooks:
            hook(session, case, data, step)
        write_case(session, case)
        return step

    def _record(self, session, case, action, steplog, opened, closed, now, finished) -> None:
        events = []

        def rec(kind, task_uuid=None, bpmn_id=None, message="", data=None):
            events.append({"case_id": case.id, "kind": kind, "actor": action.actor, "at": now,
                           "task_uuid": task_uuid, "bpmn_id": bpmn_id, "message": message, "data": data})
        if action.kind == "start":
            rec("case_started", message=f"{case.process_key} v{case.definition_version}")
        elif action.kind == "deadline":
            rec("deadline_changed", message=action.data.get("reason", ""), data=action.data)
        for row in closed:
            if row.state == "completed":
                rec("task_completed", row.task_uuid, row.bpmn_id, row.name, action.data or {})
            else:
                rec("task_cancelled", row.task_uuid, row.bpmn_id, row.name)
        for entry in steplog.entries:
            fired = action.kind == "timers" and entry["task_uuid"] in (action.fire or ())
            rec("timer_fired" if fired else "engine_step", entry["task_uuid"], entry["bpmn_id"], entry["name"],
                {"type": entry["type"]})
        for row in opened:
            rec("task_created", row.task_uuid, row.bpmn_id, row.name,
                {"groups": row.groups, "due_at": row.due_at.isoformat() if row.due_at else None})
        if finished:
            rec("case_completed")
        projection.record_many(session, events)

    def mark_error(self, session: Session, case: Case, action: Action, err: BaseException,
                   now: datetime) -> None:
        task = getattr(err, "task", None)
        case.status = "error"
        case.error_message = describe(err)[:4000]
        case.error_task = getattr(getattr(task, "task_spec", None), "bpmn_id", None)
        case.pending_action = action.as_dict()
        case.updated_at = now
        projection.record(session, case.id, "error", actor=action.actor, at=now, message=case.error_message,
                          bpmn_id=case.error_task, data={"action": action.kind})


# Everything a step may change on its case (projection, save, hooks, a version migration), written
# by one prebuilt UPDATE: a column set elsewhere before save() must be listed here or it is lost.
STEP_COLUMNS = projection.CASE_COLUMNS + ("definition_id", "definition_version",
    "is_repeat", "main_case_id", "facts", "petitioner", "state", "state_format", "lib_version", "tree_depth",
    "next_due_at", "due_at", "updated_at", "error_message", "error_task", "pending_action", "status",
    "completed_at", "metrics_digest")
_CASES = Case.__table__
WRITE_CASE = (update(_CASES).where(_CASES.c.id == bindparam("_id"), _CASES.c.row_version == bindparam("_seen"))
               .values({**{c: bindparam(c) for c in STEP_COLUMNS}, "row_version": bindparam("_next")}))


def write_case(session: Session, case: Case) -> None:
    """The step's case row as one UPDATE guarded by row_version, then the case leaves the
    session: the ORM's flush of the same row cost more than the rest of the save. In a batch
    the UPDATE waits with the batch's other writes (projection.flush_deferred checks it)."""
    seen = case.row_version
    values = {"_id": case.id, "_seen": seen, "_next": seen + 1, **{c: getattr(case, c) for c in STEP_COLUMNS}}
    if projection.DEFERRED in session.info:
        projection.write_later(session, WRITE_CASE, [values])
    elif session.connection().execute(WRITE_CASE, values).rowcount != 1:
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


__all__ = ["StepRunner", "Action", "SpecCache", "ENGINE_FAILURES", "CaseFailed", "describe", "is_conflict"]
