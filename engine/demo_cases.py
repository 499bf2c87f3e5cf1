"""`xinfang demo --cases N`: a living office, played through the real processes with a moved clock.

Every story's steps are merged into one timeline and replayed in time order up to the present
(time-machine moves our clock and SpiffWorkflow's); timers fire as the clock passes them.
"""
from __future__ import annotations

import heapq
import logging
import random
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Callable

import time_machine

from processes.demo_stories import Story, stories

from .errors import XinfangError
from .services import Services

log = logging.getLogger(__name__)


def play(services: Services, count: int, *, days: int = 150, seed: int = 7, now: datetime | None = None,
         progress: Callable[[str], None] | None = None) -> dict:
    """Registers `count` petitions spread over the last `days` days and acts on them until `now`."""
    now = now or datetime.now(timezone.utc)
    rng = random.Random(seed)
    plan = stories(count, seed)
    timeline: list[tuple[datetime, int, int, int]] = []        # (when, story, step (-1 = register), seq)
    for i, story in enumerate(plan):
        start = now - timedelta(days=days * rng.random() ** 1.3, minutes=rng.randint(0, 600))
        timeline.append((start, i, -1, len(timeline)))
        timeline += [(start + step.at, i, n, len(timeline) + n + 1) for n, step in enumerate(story.steps)
                     if start + step.at <= now]
    heapq.heapify(timeline)
    cases: dict[int, int] = {}
    stats: Counter = Counter()
    last_tick = None
    while timeline:
        when, i, n, _ = heapq.heappop(timeline)
        with time_machine.travel(when, tick=False):
            if last_tick is None or when - last_tick > timedelta(hours=6):
                stats["timers"] += services.fire_due_timers()
                last_tick = when
            _act(services, plan[i], i, n, cases, stats)
        if n == -1 and len(cases) % 50 == 0 and progress:
            progress(f"{len(cases)}/{count} petitions registered ({when:%Y-%m-%d})")
    with time_machine.travel(now, tick=False):
        stats["timers"] += services.fire_due_timers()
    stats["cases"] = len(cases)
    return dict(stats)


def _act(services: Services, story: Story, i: int, n: int, cases: dict, stats: Counter) -> None:
    try:
        if n == -1:
            cases[i] = services.register_petition(story.form, user="clerk")["id"]
            stats[f"kind:{story.kind}"] += 1
            return
        if i not in cases:
            return
        step = story.steps[n]
        open_tasks = services.list_tasks(case_id=cases[i], per_page=50)["items"]
        task = next((t for t in open_tasks if t["bpmn_id"] == step.task
                     and (step.unit is None or t["unit"] == step.unit)), None)
        if task is None:                       # e.g. the evaluation window lapsed first
            stats["skipped"] += 1
            return
        services.complete_task(task["id"], user=step.user, data=step.data)
        stats["steps"] += 1
    except XinfangError as err:
        log.warning("demo story %s step %s: %s", i, n, err)
        stats["failed"] += 1
