"""Keeping a long-lived case's task tree small: finished history leaves the live tree.

SpiffWorkflow never forgets a task: every pass of a loop (a report sent back to the unit, again
and again) hangs new tasks under the old ones, so each step loads, walks and saves a tree that
grows with the case's history, and at depth 1000 the library loses track of the case.

Once the tasks still alive in a (sub)workflow have grown deeper than `at_depth`, everything that is
finished *above* their deepest common completed ancestor is cut away: that ancestor is hung
directly under the workflow's root, and completed call activities cut away take their finished
subprocesses with them. Nothing alive is touched, nor any finished branch beside the live ones.
The history stays in the audit trail (`case_event`), written by every step before this runs.
Pruning happens between steps only, so an automatic loop that never waits for a person still
meets the depth guard (runtime.check_loop_guard) within its step.
"""
from __future__ import annotations

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
PRUNE_DEPTH = 40     # deeper than any straight run through the shipped processes (~25)


def prune(wf: BpmnWorkflow, at_depth: int | None = None) -> int:
    """Drops finished history from the live tree of `wf` and its subprocesses; how many tasks went."""
    at_depth = PRUNE_DEPTH if at_depth is None else at_depth
    dropped = sum(_prune_one(w, at_depth) for w in [wf, *wf.subprocesses.values()])
    if dropped:
        dropped += _drop_orphans(wf)
    return dropped


def _prune_one(w, at_depth: int) -> int:
    alive = [t for t in w.tasks.values() if not t.has_state(FINISHED)]
    if not alive or max(t.depth for t in alive) <= at_depth:
        return 0
    cut = _cut_point(w.task_tree, alive)
    root = w.task_tree
    if cut is None or cut is root or cut.parent is root:
        return 0
    if w.last_task is not None and w.last_task is not cut and not w.last_task.is_descendant_of(cut):
        return 0         # the case data is read from the last completed task (runtime.workflow_data)
    kept = {root.id}
    stack = [cut]
    while stack:
        task = stack.pop()
        kept.add(task.id)
        stack.extend(task.children)
    gone = [tid for tid in w.tasks if tid not in kept]
    root.children = [cut]
    cut.parent = root
    for tid in gone:
        del w.tasks[tid]
    return len(gone)


def _cut_point(root, alive: list):
    """The deepest completed task whose subtree holds every live task."""
    on_path = set()
    for task in alive:
        while task is not None and task.id not in on_path:
            on_path.add(task.id)
            task = task.parent
    node, last_done = root, None
    while True:
        if node.has_state(TaskState.COMPLETED):
            last_done = node
        elif not node.has_state(FINISHED):
            return last_done          # a live task: nothing below it may be cut
        branches = [c for c in node.children if c.id in on_path]
        if len(branches) != 1:
            return last_done
        node = branches[0]


def _drop_orphans(wf: BpmnWorkflow) -> int:
    """Finished subprocesses whose call activity was cut away (nested ones too)."""
    dropped = 0
    while True:
        present = set(wf.tasks)
        for sub in wf.subprocesses.values():
            present.update(sub.tasks)
        orphans = [tid for tid in wf.subprocesses if tid not in present]
        if not orphans:
            return dropped
        for tid in orphans:
            dropped += len(wf.subprocesses.pop(tid).tasks)
