"""The timer service: claim due timer rows, wake only those cases, remind and escalate.

The `timer` table is the source of truth; APScheduler (engine/timers/ticker.py) only calls
`tick`. BPMN timers fire as steps of their case; rows of other kinds (a feature's reminders and
escalations) go to the function the feature registered for that kind.
Exactly once, across processes and crashes, comes from two rules:

* a claim is a short transaction that leases rows (`lock_owner`, `lock_expires_at`) with
  `FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent workers take disjoint rows and a
  crashed worker's rows come back when the lease ends;
* a BPMN timer is marked fired in the same transaction as the engine step that fires it, and a
  step that finds the timer no longer waiting fires nothing. A reminder or escalation row is
  advanced in the same transaction as its notification.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from engine.timers import batch as timer_batch
from engine.clock import carried, utcnow
from engine.errors import CaseFailed, Conflict, NotFound
from engine.store.models import Case, Timer
from engine.timers.tables import SchedulerHeartbeat
from engine.steps import Action

log = logging.getLogger(__name__)
LATENESS_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0, 86400.0)


@dataclass
class TickResult:
    claimed: int = 0
    fired: int = 0
    reminders: int = 0
    escalations: int = 0
    errors: int = 0
    lateness: list[float] = field(default_factory=list)


TimerKind = Callable[[Session, int, datetime], "str | None"]   # (session, timer id, now) -> what it did


class Scheduler:
    """One per scheduler process; `worker` names it in leases and heartbeats.
    `kinds`: timer kind -> the feature's function that fires such a row (in its own transaction);
    `after_tick`: functions run after each sweep (delivering the notification outbox)."""

    def __init__(self, core, *, kinds: dict[str, TimerKind] | None = None, after_tick: list | None = None,
                 worker: str | None = None, batch: int = 500, lease: timedelta = timedelta(seconds=120),
                 threads: int | None = None):
        self.core = core
        self.kinds = dict(kinds or {})
        self.after_tick = list(after_tick or [])
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.batch = batch
        self.lease = lease
        # PostgreSQL commits overlap (group commit) when cases fire on several connections;
        # SQLite has one writer, so threads would only queue on its lock.
        if threads is None:
            threads = core.settings.scheduler_threads if core.engine.dialect.name != "sqlite" else 1
        self.threads = max(1, threads)
        self._lock = threading.Lock()

    # -- the tick ---------------------------------------------------------------------------
    def tick(self, now: datetime | None = None, *, max_batches: int | None = None) -> TickResult:
        """Sweeps until nothing due is left (catch-up after downtime), oldest first."""
        started = time.perf_counter()
        result = TickResult()
        batches = 0
        while max_batches is None or batches < max_batches:
            at = now or utcnow()
            claimed = self.claim(at)
            if not claimed:
                break
            batches += 1
            result.claimed += len(claimed)
            self._fire(claimed, result, at)
        for hook in self.after_tick:
            hook()
        self._heartbeat(result, (time.perf_counter() - started) * 1000, now)
        return result

    def claim(self, now: datetime) -> list[tuple[int, int, str, str, datetime]]:
        """Lease up to `batch` due rows: (timer id, case id, task uuid, kind, due_at)."""
        with self.core.uow() as uow:
            rows = uow.session.execute(
                select(Timer.id, Timer.case_id, Timer.task_uuid, Timer.kind, Timer.due_at)
                .join(Case, Case.id == Timer.case_id)
                .where(Timer.status == "waiting", Timer.due_at <= now, Case.status == "running",
                       or_(Timer.lock_expires_at.is_(None), Timer.lock_expires_at < utcnow()))
                .order_by(Timer.due_at, Timer.id).limit(self.batch)
                .with_for_update(skip_locked=True, of=Timer)).all()
            if rows:
                uow.session.execute(update(Timer).where(Timer.id.in_([r[0] for r in rows]))
                                    .values(lock_owner=self.worker, lock_expires_at=utcnow() + self.lease))
            uow.commit()
        return [tuple(r) for r in rows]

    def _fire(self, claimed, result: TickResult, now: datetime) -> None:
        """`now`: the sweep's clock, which reminders and escalations state (never the wall clock
        of the moment each row happens to run)."""
        by_case: dict[int, list] = {}
        for row in claimed:
            by_case.setdefault(row[1], []).append(row)
        bpmn = {case_id: [r for r in rows if r[3] == "bpmn"] for case_id, rows in by_case.items()}
        bpmn = {case_id: rows for case_id, rows in bpmn.items() if rows}
        items = list(bpmn.items())
        size = self.core.settings.timer_batch
        chunks = [dict(items[i:i + size]) for i in range(0, len(items), size)]
        if self.threads > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(self.threads, thread_name_prefix="timers") as pool:
                list(pool.map(carried(lambda chunk: self._fire_chunk(chunk, result)), chunks))
        else:
            for chunk in chunks:
                self._fire_chunk(chunk, result)
        for row in claimed:
            if row[3] != "bpmn":
                self._fire_policy(row, result, now)

    def _fire_chunk(self, chunk: dict[int, list], result: TickResult) -> None:
        if len(chunk) > 1:
            try:
                failed = timer_batch.fire_batch(self.core, {case_id: [r[2] for r in rows]
                                                            for case_id, rows in chunk.items()})
            except timer_batch.BatchRefused:
                pass
            else:
                self._count(result, [r for case_id, rows in chunk.items() if case_id not in failed for r in rows])
                for case_id in failed:
                    self._failed(case_id, chunk[case_id], result)
                return
        for case_id, rows in chunk.items():
            self._fire_bpmn(case_id, rows, result)

    def _count(self, result: TickResult, rows) -> None:
        fired_at = utcnow()
        with self._lock:
            result.fired += len(rows)
            result.lateness.extend(max(0.0, (fired_at - r[4]).total_seconds()) for r in rows)

    def _fire_bpmn(self, case_id: int, rows, result: TickResult) -> None:
        uuids = [r[2] for r in rows]
        try:
            self.core.step(case_id, Action.fire_timers("scheduler", uuids))
        except CaseFailed as err:
            log.warning("timers of case %s failed: %s", case_id, err)
            self._failed(case_id, rows, result)
        except (Conflict, NotFound) as err:
            log.info("timers of case %s not fired now (%s); they stay due", case_id, err)
            self._release([r[0] for r in rows])
        else:
            self._count(result, rows)

    def _failed(self, case_id: int, rows, result: TickResult) -> None:
        with self._lock:
            result.errors += 1
        self._release([r[0] for r in rows])

    def _fire_policy(self, row, result: TickResult, now: datetime) -> None:
        fire = self.kinds.get(row[3])
        if fire is None:
            log.error("timer %s has kind %r, which no feature registered", row[0], row[3])
            return
        try:
            with self.core.uow() as uow:
                outcome = fire(uow.session, row[0], now)
                uow.commit()
        except Exception:     # one bad row must not stop the sweep; it is retried after its lease
            log.exception("reminder/escalation timer %s failed", row[0])
            result.errors += 1
            return
        if outcome == "reminder":
            result.reminders += 1
        elif outcome == "escalation":
            result.escalations += 1

    def _release(self, timer_ids: list[int]) -> None:
        with self.core.uow() as uow:
            uow.session.execute(update(Timer).where(Timer.id.in_(timer_ids), Timer.lock_owner == self.worker)
                                .values(lock_owner=None, lock_expires_at=None))
            uow.commit()

    # -- heartbeat and metrics --------------------------------------------------------------
    def _heartbeat(self, result: TickResult, elapsed_ms: float, now: datetime | None) -> None:
        at = utcnow()
        with self.core.uow() as uow:
            s = uow.session
            hb = s.get(SchedulerHeartbeat, self.worker)
            if hb is None:
                hb = SchedulerHeartbeat(worker=self.worker, host=socket.gethostname(), pid=os.getpid(),
                                        started_at=at, last_tick_at=at, ticks=0, fired=0, reminders=0,
                                        escalations=0, errors=0, last_fired=0, last_tick_ms=0.0, backlog=0,
                                        lateness_count=0, lateness_sum=0.0, lateness_max=0.0,
                                        lateness_buckets=[0] * len(LATENESS_BUCKETS))
                s.add(hb)
            hb.last_tick_at, hb.stopped_at = at, None
            hb.ticks += 1
            hb.fired += result.fired
            hb.reminders += result.reminders
            hb.escalations += result.escalations
            hb.errors += result.errors
            hb.last_fired = result.fired
            hb.last_tick_ms = round(elapsed_ms, 2)
            hb.backlog = due_backlog(s, now or at)
            buckets = list(hb.lateness_buckets or [0] * len(LATENESS_BUCKETS))
            for late in result.lateness:
                hb.lateness_count += 1
                hb.lateness_sum += late
                hb.lateness_max = max(hb.lateness_max, late)
                for i, bound in enumerate(LATENESS_BUCKETS):
                    if late <= bound:
                        buckets[i] += 1
            hb.lateness_buckets = buckets
            uow.commit()

    def stop(self) -> None:
        with self.core.uow() as uow:
            uow.session.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.worker == self.worker)
                                .values(stopped_at=utcnow()))
            uow.commit()


def due_backlog(session: Session, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Timer).join(Case, Case.id == Timer.case_id)
                          .where(Timer.status == "waiting", Timer.due_at <= now,
                                 Case.status == "running")) or 0


def status(session: Session, now: datetime) -> dict:
    """What /readyz, /metrics and the admin page show: workers, backlog, lateness."""
    workers = list(session.scalars(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.worker)))
    live = [w for w in workers if w.stopped_at is None]
    newest = max((w.last_tick_at for w in live), default=None)
    count = sum(w.lateness_count for w in workers)
    buckets = [sum((w.lateness_buckets or [0] * len(LATENESS_BUCKETS))[i] for w in workers)
               for i in range(len(LATENESS_BUCKETS))]
    return {
        "workers": [{"worker": w.worker, "host": w.host, "pid": w.pid, "last_tick_at": w.last_tick_at.isoformat(),
                     "stopped": w.stopped_at is not None, "ticks": w.ticks, "fired": w.fired,
                     "reminders": w.reminders, "escalations": w.escalations, "errors": w.errors,
                     "last_tick_ms": w.last_tick_ms} for w in workers],
        "heartbeat_age_s": None if newest is None else round((now - newest).total_seconds(), 1),
        "backlog": due_backlog(session, now),
        "waiting": session.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting")) or 0,
        "fired_total": sum(w.fired for w in workers),
        "reminders_total": sum(w.reminders for w in workers),
        "escalations_total": sum(w.escalations for w in workers),
        "errors_total": sum(w.errors for w in workers),
        "lateness": {"count": count, "sum_s": round(sum(w.lateness_sum for w in workers), 3),
                     "max_s": round(max((w.lateness_max for w in workers), default=0.0), 3),
                     "buckets": dict(zip([str(b) for b in LATENESS_BUCKETS], buckets))},
    }

