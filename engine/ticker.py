"""APScheduler as a ticker only: one in-memory interval job that sweeps due timers.

Per-case timers live in our `timer` table, never in an APScheduler job store
(its FAQ warns that a job store shared between processes double-fires or misses jobs).
"""
from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from .services import Services

log = logging.getLogger(__name__)


def _sweep(services: Services) -> None:
    try:
        fired = services.fire_due_timers()
        if fired:
            log.info("fired %d timer(s)", fired)
    except Exception:  # a failed sweep must not stop the ticker; the next tick retries
        log.exception("timer sweep failed")


def make_ticker(services: Services, *, background: bool = True):
    scheduler = BackgroundScheduler(daemon=True) if background else BlockingScheduler()
    scheduler.add_job(_sweep, "interval", args=[services], seconds=services.settings.tick_seconds,
                      id="sweep", max_instances=1, coalesce=True, misfire_grace_time=None)
    return scheduler
