"""The timer service as operators use it: a sweep on demand, the scheduler for a process, and
its status for /readyz, /metrics and the admin page."""
from __future__ import annotations

from datetime import datetime

from engine.clock import utcnow
from engine.core import Core
from engine.errors import NotAllowed
from engine.timers import scheduler
from engine.timers.ticker import make_ticker


class Timers:
    def __init__(self, core: Core, kinds: dict, after_tick: list):
        """`kinds` and `after_tick`: what features registered for their own timer rows."""
        self.core = core
        self.kinds = kinds
        self.after_tick = after_tick

    def scheduler(self, **options) -> scheduler.Scheduler:
        """A scheduler worker for this process (`xinfang scheduler`, `make run`, tests)."""
        return scheduler.Scheduler(self.core, kinds=self.kinds, after_tick=self.after_tick, **options)

    def ticker(self, *, background: bool = True):
        """APScheduler's interval job that sweeps due timers in this process (not started yet)."""
        return make_ticker(self.scheduler(), background=background)

    def fire_due_timers(self, now: datetime | None = None, *, limit: int = 1000) -> int:
        """One sweep (what `xinfang timers fire-due` runs): everything due at `now`, oldest first."""
        return self.scheduler(batch=limit).tick(now).fired

    def scheduler_status(self, now: datetime | None = None, *, user: str | None = None) -> dict:
        """Heartbeats, backlog and lateness: for /readyz, /metrics (no user: aggregates only)
        and the admin page (a user: directors and administrators)."""
        with self.core.uow(write=False) as uow:
            if user is not None and not self.core.actor(uow.session, user).is_supervisor:
                raise NotAllowed("only the director or an administrator can see the scheduler")
            return scheduler.status(uow.session, now or utcnow())
