"""Diffs between process versions and moving a running workflow onto another version.

Both are SpiffWorkflow's own (SpiffWorkflow.bpmn.util.diff); this module only decides what is
safe: a case may move only if no task it has completed or is working on changed or vanished.
"""
from __future__ import annotations

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow

from engine.bpmn import serialization

REGISTRY = serialization._FULL.registry
TOUCHED = TaskState.COMPLETED | TaskState.STARTED | TaskState.READY | TaskState.WAITING | TaskState.ERROR
_INTERNAL = ("Start", "End", "Root")


def _visible(spec) -> bool:
    return getattr(spec, "bpmn_id", None) is not None and spec.name not in _INTERNAL


def _describe(spec) -> dict:
    return {"id": spec.bpmn_id, "name": getattr(spec, "bpmn_name", None) or spec.bpmn_id,
            "type": type(spec).__name__}


def spec_diff(old: tuple, new: tuple) -> dict:
    """Elements added, removed and changed (with the changed attributes), per process."""
    (old_spec, old_subs), (new_spec, new_subs) = old, new
    out = {"processes": []}
    pairs = [(old_spec.name, old_spec, new_spec)] + [(k, s, new_subs.get(k)) for k, s in sorted(old_subs.items())]
    for name, before, after in pairs:
        if after is None:
            out["processes"].append({"process": name, "removed_process": True})
            continue
        diff = SpecDiff(REGISTRY, before, after)
        out["processes"].append({
            "process": name,
            "added": [_describe(s) for s in diff.added if _visible(s)],
            "removed": [_describe(s) for s in diff.removed if _visible(s)],
            "changed": [{**_describe(s), "attributes": sorted(set(attrs))}
                        for s, attrs in diff.changed.items() if _visible(s)],
        })
    return out


def blockers(wf, new: tuple) -> tuple[list[str], tuple]:
    """Why `wf` cannot move to `new` (empty when it can) and the diffs to apply."""
    new_spec, new_subs = new
    top, sub_diffs = diff_workflow(REGISTRY, wf, new_spec, new_subs)
    problems = _touched(top, "")
    for sp_id, diff in sub_diffs.items():
        name = wf.subprocesses[sp_id].spec.name
        if diff is None:
            problems.append(f"subprocess {name} no longer exists in the new version")
        else:
            problems += _touched(diff, f"{name}: ")
    return problems, (top, sub_diffs)


def _touched(diff, prefix: str) -> list[str]:
    out = []
    for task in diff.changed + diff.removed:
        if task.state & TOUCHED and _visible(task.task_spec):
            what = "removed" if task in diff.removed else "changed"
            state = TaskState.get_name(task.state).lower()
            out.append(f"{prefix}{task.task_spec.bpmn_id} is {state} and was {what} in the new version")
    return sorted(set(out))


def migrate(wf, new: tuple, diffs: tuple) -> None:
    new_spec, new_subs = new
    top, sub_diffs = diffs
    migrate_workflow(top, wf, new_spec)
    for sp_id, diff in sub_diffs.items():
        sub = wf.subprocesses[sp_id]
        migrate_workflow(diff, sub, new_subs[sub.spec.name])
    wf.subprocess_specs = new_subs
