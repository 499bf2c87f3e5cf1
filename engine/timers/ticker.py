"""APScheduler as a ticker only: one in-memory interval job that sweeps due timers.

Per-case timers live in our `timer` table, never in an APScheduler job store
(its FAQ warns that a job store shared between processes double-fires or misses jobs).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.timers.scheduler import Scheduler

log = logging.getLogger(__name__)
# APScheduler logs every run of the 1 s tick at INFO ("Running job…", "executed successfully"):
# 172,800 lines a day that drown the application's own. Its warnings (missed runs) still show.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)


def _sweep(worker: Scheduler) -> None:
    try:
        result = worker.tick()
        if result.fired or result.reminders or result.escalations:
            log.info("fired %d timer(s), %d reminder(s), %d escalation(s)",
                     result.fired, result.reminders, result.escalations)
    except Exception:  # a failed sweep must not stop the ticker; the next tick retries
        log.exception("timer sweep failed")


def make_ticker(worker: Scheduler, *, background: bool = True):
    """The first tick runs at once, so overdue timers catch up at start."""
    ticker = BackgroundScheduler(daemon=True) if background else BlockingScheduler()
    ticker.add_job(_sweep, "interval", args=[worker], seconds=worker.core.settings.tick_seconds,
                   id="sweep", max_instances=1, coalesce=True, misfire_grace_time=None,
                   next_run_time=datetime.now(timezone.utc))
    ticker.worker = worker          # so the caller can mark the worker stopped on exit
    return ticker
