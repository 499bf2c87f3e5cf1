"""`xinfang demo --cases N`: a living office, played through the real processes with a moved clock.

Every story's steps are merged into one timeline and replayed in time order up to the present
on a moved engine clock (engine.clock.travel, which SpiffWorkflow's timers read too); timers
fire as the clock passes them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import heapq
import logging
import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Callable

from processes.demo_stories import Story, stories

from engine import clock
from engine.errors import XinfangError

if TYPE_CHECKING:
    from office.root import Services

log = logging.getLogger(__name__)


def schedule(count: int, *, days: int, seed: int, now: datetime) -> tuple[list[Story], list[tuple]]:
    """Every story's registration and steps in time order: (when, story, step (-1 = register), seq)."""
    rng = random.Random(seed)
    plan = stories(count, seed)
    timeline: list[tuple[datetime, int, int, int]] = []
    for i, story in enumerate(plan):
        start = now - timedelta(days=days * rng.random() ** 1.3, minutes=rng.randint(0, 600))
        timeline.append((start, i, -1, len(timeline)))
        timeline += [(start + step.at, i, n, len(timeline) + n + 1) for n, step in enumerate(story.steps)]
    return plan, sorted(timeline)


def play(services: Services, count: int, *, days: int = 150, seed: int = 7, now: datetime | None = None,
         progress: Callable[[str], None] | None = None, cases: dict[int, int] | None = None,
         anchor: datetime | None = None, since: datetime | None = None) -> dict:
    """Registers `count` petitions spread over the `days` days before `anchor` (default `now`) and
    acts on them until `now`. `cases` receives story index -> case id; with `since`, only what
    happens after it is played, on the cases already in `cases` (the stored-case corpus)."""
    now = now or clock.utcnow()
    plan, timeline = schedule(count, days=days, seed=seed, now=anchor or now)
    timeline = [entry for entry in timeline if entry[0] <= now and (since is None or entry[0] > since)]
    heapq.heapify(timeline)
    cases = {} if cases is None else cases
    stats: Counter = Counter()
    last_tick = None
    with clock.travel(now) as moved:
        while timeline:
            when, i, n, _ = heapq.heappop(timeline)
            moved.move_to(when)
            if last_tick is None or when - last_tick > timedelta(hours=6):
                stats["timers"] += services.timers.fire_due_timers()
                last_tick = when
            _act(services, plan[i], i, n, cases, stats)
            if n == -1 and len(cases) % 50 == 0 and progress:
                progress(f"{len(cases)}/{count} petitions registered ({when:%Y-%m-%d})")
        moved.move_to(now)
        stats["timers"] += services.timers.fire_due_timers()
    stats["cases"] = len(cases)
    return dict(stats)


def _fitted(data: dict, form: dict | None) -> dict:
    """Only the fields the task's form declares, as its page would send: a story is written for
    the current forms, and stored cases keep the forms of their own version."""
    fields = (form or {}).get("properties")
    return {k: v for k, v in data.items() if k in fields} if isinstance(fields, dict) else dict(data)


def _act(services: Services, story: Story, i: int, n: int, cases: dict, stats: Counter) -> None:
    try:
        if n == -1:
            cases[i] = services.intake.register_petition(story.form, user="clerk")["id"]
            stats[f"kind:{story.kind}"] += 1
            return
        if i not in cases:
            return
        step = story.steps[n]
        open_tasks = services.tasks.list_tasks(case_id=cases[i], per_page=50)["items"]
        task = next((t for t in open_tasks if t["bpmn_id"] == step.task
                     and (step.unit is None or t["unit"] == step.unit)), None)
        if task is None:                       # e.g. the evaluation window lapsed first
            stats["skipped"] += 1
            return
        form = services.tasks.get_task(task["id"], user=step.user).get("form")
        services.tasks.complete_task(task["id"], user=step.user, data=_fitted(step.data, form))
        stats["steps"] += 1
    except XinfangError as err:
        log.warning("demo story %s step %s: %s", i, n, err)
        stats["failed"] += 1
