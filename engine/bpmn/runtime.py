"""Everything we ask of a live SpiffWorkflow workflow, in one place and without a database."""
from __future__ import annotations

import logging
import re
import time

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.clock import parse_instant
from engine.bpmn.timer_bounds import duration_parts
from engine.bpmn.scripting import StepContext, attach


# SpiffWorkflow logs every task state change at INFO ("State changed to READY": several lines a
# step). The case's events are the office's record of what happened; the library's own lines are
# for debugging, and written as JSON lines they cost a web worker about 4 % of its CPU.
LIBRARY_LOGGER = "spiff"


def set_library_log_level(level: str) -> None:
    """SpiffWorkflow's own log lines at DEBUG only (`Settings.log_level`, XINFANG_LOG_LEVEL)."""
    logging.getLogger(LIBRARY_LOGGER).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


_UNFINISHED = TaskState.NOT_FINISHED_MASK


class StepBudgetExceeded(Exception):
    """A step ran longer than its time budget; the step is rolled back, the case put in error."""


class LoopLimit(RuntimeError):
    """The task tree is too deep for SpiffWorkflow to walk reliably."""


@dataclass
class UserTaskView:
    uuid: str
    bpmn_id: str
    name: str
    lane: str | None
    groups: list[str]
    properties: dict
    form_key: str | None
    deadlines: dict
    unit: str | None = None       # the unit this step belongs to (property unitKey names a data key)


@dataclass
class TimerView:
    uuid: str
    bpmn_id: str
    due_at: datetime
    name: str = ""


@dataclass
class StepLog:
    """Engine tasks completed during one step, for the audit trail."""

    entries: list[dict] = field(default_factory=list)
    budget: float | None = None          # seconds this step may take (XINFANG_STEP_SECONDS)
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)

    def __post_init__(self):
        self.started = self.clock()

    def did_complete(self, task) -> None:
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None) is not None:
            self.entries.append({"task_uuid": str(task.id), "bpmn_id": spec.bpmn_id,
                                 "name": spec.bpmn_name or spec.bpmn_id, "type": type(spec).__name__})
        self.check_budget()

    def check_budget(self) -> None:
        """Between two engine tasks (SpiffWorkflow calls back after each): a step over its budget
        is stopped here, so one case's loop or slow handlers cannot hold the database for long."""
        if self.budget is not None and self.clock() - self.started > self.budget:
            raise StepBudgetExceeded(f"the step took more than its budget of {self.budget:g} s "
                                     f"(XINFANG_STEP_SECONDS) after {len(self.entries)} engine task(s); "
                                     "nothing of it was saved and the case was stopped")


def new_workflow(spec, subprocess_specs: dict, data: dict, context: StepContext) -> BpmnWorkflow:
    wf = BpmnWorkflow(spec, subprocess_specs)
    attach(wf, context)
    wf.task_tree.data.update(data)
    return wf


def run_engine(wf: BpmnWorkflow, log: StepLog) -> None:
    wf.do_engine_steps(did_complete_task=log.did_complete)


def fire_timers(wf: BpmnWorkflow, log: StepLog) -> None:
    wf.refresh_timers()
    run_engine(wf, log)


def get_ready_user_task(wf: BpmnWorkflow, task_uuid: str):
    try:
        task = wf.get_task_from_id(UUID(task_uuid))
    except (ValueError, KeyError):
        return None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        return None
    return task


def complete_user_task(wf: BpmnWorkflow, task, data: dict, log: StepLog) -> None:
    task.data.update(data)
    task.run()
    run_engine(wf, log)


def _all_tasks(wf: BpmnWorkflow):
    yield from wf.tasks.values()
    for sub in wf.subprocesses.values():
        yield from sub.tasks.values()


def check_loop_guard(wf: BpmnWorkflow, max_depth: int) -> None:
    """SpiffWorkflow's iterator stops at depth 1000 and then calls a live case complete;
    the flat task dicts still show the truth, so we check them instead."""
    unfinished = [t for t in _all_tasks(wf) if t.has_state(_UNFINISHED)]
    if wf.is_completed() and unfinished:
        raise LoopLimit(f"the engine reported completion while {len(unfinished)} task(s) were still "
                        f"open (loop too deep for SpiffWorkflow); the case was stopped")
    deepest = max((t.depth for t in unfinished), default=0)
    if deepest > max_depth:
        raise LoopLimit(f"the case's task tree reached depth {deepest} (limit {max_depth}): a loop has run "
                        f"too many times; the case was stopped before SpiffWorkflow loses track of it")


def tree_depth(wf: BpmnWorkflow) -> int:
    return max((t.depth for t in _all_tasks(wf) if t.has_state(_UNFINISHED)), default=0)


def is_finished(wf: BpmnWorkflow) -> bool:
    return wf.is_completed()


def ready_user_tasks(wf: BpmnWorkflow) -> list[UserTaskView]:
    views = []
    for task in _all_tasks(wf):
        spec = task.task_spec
        if task.state != TaskState.READY or not spec.manual or getattr(spec, "bpmn_id", None) is None:
            continue
        ext = getattr(spec, "extensions", None) or {}
        props = dict(ext.get("properties") or {})
        groups = [g.strip() for g in (props.get("candidateGroups") or "").split(",") if g.strip()]
        if not groups and spec.lane:
            groups = [spec.lane]
        form = props.get("formKey") or ext.get("formJsonSchemaFilename")
        if form and form.endswith(".json"):
            form = form[:-5]
        unit = task.data.get(props["unitKey"]) if props.get("unitKey") else None
        views.append(UserTaskView(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                  spec.lane, groups, props, form, dict(task.data.get("deadlines") or {}),
                                  unit if isinstance(unit, str) and unit else None))
    return views


def waiting_timers(wf: BpmnWorkflow) -> list[TimerView]:
    views = []
    for task in list(wf.event_manager.tasks.values()):
        event = getattr(task.task_spec, "event_definition", None)
        if not isinstance(event, TimerEventDefinition) or task.state != TaskState.WAITING:
            continue
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):           # cycle timers keep {"next": ...}
            value = value.get("next") if value.get("cycles") else None
        if not value:
            continue
        views.append(TimerView(str(task.id), task.task_spec.bpmn_id, _instant(value),
                               task.task_spec.bpmn_name or task.task_spec.bpmn_id))
    return views


def _instant(value: str) -> datetime:
    try:
        return parse_instant(value)
    except ValueError:
        return TimerEventDefinition.get_datetime(value)


def move_timer(wf: BpmnWorkflow, task_uuid: str, due_at: datetime) -> bool:
    """The due time is fixed when waiting starts; moving a deadline rewrites it here."""
    task = wf.get_task_from_id(UUID(task_uuid))
    if task is None or task.state != TaskState.WAITING:
        return False
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value["next"] = due_at.isoformat()
    else:
        task.internal_data["event_value"] = due_at.isoformat()
    return True


_DEADLINE_CALL = re.compile(r'^\s*deadline\(\s*["\']([A-Za-z_][A-Za-z0-9_]*)["\']\s*\)\s*$')


def change_deadline(wf: BpmnWorkflow, name: str, due_at: datetime) -> int:
    """Rewrites data["deadlines"][name] where later steps will read it, and moves the waiting
    timers whose expression is deadline("name"). Returns how many timers moved."""
    value = due_at.isoformat()
    live = [t for t in _all_tasks(wf) if t.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED)]
    for task in live + ([wf.last_task] if wf.last_task is not None else []):
        deadlines = dict(task.data.get("deadlines") or {})
        deadlines[name] = value
        task.data["deadlines"] = deadlines
    moved = 0
    for view in waiting_timers(wf):
        spec = wf.get_task_from_id(UUID(view.uuid)).task_spec
        match = _DEADLINE_CALL.match(getattr(spec.event_definition, "expression", "") or "")
        if match and match.group(1) == name:
            moved += move_timer(wf, view.uuid, due_at)
    return moved


def task_completed(wf: BpmnWorkflow, task_uuid: str) -> bool:
    task = wf.get_task_from_id(UUID(task_uuid))
    return task is not None and task.state == TaskState.COMPLETED


def workflow_data(wf: BpmnWorkflow) -> dict:
    """The case data as of the latest completed task (what a case page shows), looking into
    running call activities too: their data only returns to the parent when they finish."""
    running = [wf, *(sub for sub in wf.subprocesses.values() if not sub.is_completed())]
    lasts = [(task.last_state_change, i, task) for i, w in enumerate(running) if (task := _last_element(w))]
    if lasts:
        return dict(max(lasts, key=lambda item: item[:2])[2].data)
    return dict(wf.data)


def _last_element(w: BpmnWorkflow):
    """The latest completed task that is a diagram element. A parallel branch's bookkeeping task
    can finish after a call activity's steps with the branch's older data (a 复查 begun beside
    the rating would otherwise not show)."""
    task = w.last_task
    if task is None or getattr(task.task_spec, "bpmn_id", None) is not None:
        return task
    done = [(t.last_state_change, i, t) for i, t in enumerate(w.tasks.values())
            if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None)]
    return max(done, key=lambda item: item[:2])[2] if done else task    # ties (a frozen clock): the later task


def iso_duration(text: str, start: datetime) -> timedelta:
    """An ISO 8601 duration ("P7D", "P1M") as the span it covers from `start`, as BPMN timers
    read it; ValueError when it is not one."""
    parsed = duration_parts(text)         # TimerOutOfRange (a ValueError) beyond 10 years
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def due_from_properties(props: dict, deadlines: dict, created: datetime) -> datetime | None:
    """`dueDeadline` names a computed deadline in data["deadlines"]; `dueIn` is an ISO duration."""
    name = props.get("dueDeadline")
    if name:
        value = deadlines.get(name)
        if value:
            return parse_instant(value)
    duration = props.get("dueIn")
    if duration:
        return created + iso_duration(duration, created)
    return None


_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def progress(wf: BpmnWorkflow, process_key: str) -> tuple[str, set[str], set[str]]:
    """Where a case stands, for its diagram: the process shown (the innermost running call
    activity, e.g. 办理 inside 登记与分流) and the BPMN ids completed and active in it."""
    running = [sub for sub in wf.subprocesses.values() if not sub.is_completed()
               and getattr(sub.spec, "name", None) and sub.spec.name != process_key]
    shown, key = wf, process_key
    if running:
        shown = max(running, key=lambda sub: sub.depth)
        key = shown.spec.name
    completed, active = set(), set()
    for task in shown.tasks.values():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            completed.add(bpmn_id)
        elif task.has_state(_ACTIVE):
            active.add(bpmn_id)
    return key, completed - active, active
