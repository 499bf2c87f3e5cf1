"""Due BPMN timers of many cases fired in one transaction: one BEGIN, one COMMIT, one query
for the cases, two for their read rows and one executemany per kind of write, instead of a
round of each per case.

Each case's step is still whole: its blob, read tables and audit events are written together.
A case whose step fails stops in error alone (run_step records it; its handler writes are
undone by a savepoint). A case changed meanwhile or a database error rolls the whole batch back,
and the scheduler fires those cases one step at a time.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from engine import projection
from engine.clock import utcnow
from engine.store.models import Case
from engine.steps import WRITE_CASE, Action

log = logging.getLogger(__name__)


class BatchRefused(Exception):
    """The batch wrote nothing; fire its cases one by one."""


def fire_batch(core, fire: dict[int, list[str]]) -> set[int]:
    """`fire` maps case id -> timer task uuids. Returns the cases that stopped in error (recorded
    on them, their steps' writes undone); raises BatchRefused if nothing was stored."""
    now = utcnow()
    failed: set[int] = set()
    try:
        with core.uow() as uow:
            session = uow.session
            cases = session.scalars(select(Case).where(Case.id.in_(sorted(fire))).order_by(Case.id)).all()
            if len(cases) != len(fire):
                raise BatchRefused("a case is gone")
            rows = projection.rows_of_cases(session, [case.id for case in cases])
            projection.defer_writes(session)
            for case in cases:
                if case.status != "running":
                    raise BatchRefused(f"case {case.id} is {case.status}")
                outcome = core.run_step(session, case, Action.fire_timers("scheduler", fire[case.id]),
                                        rows=rows[case.id], now=now)
                if outcome.error is not None:
                    failed.add(case.id)
            projection.flush_deferred(session, guarded=WRITE_CASE)
            uow.commit()
    except BatchRefused:
        raise
    except Exception as err:      # noqa: BLE001 - every case is replayed alone, where errors are recorded
        log.debug("timer batch of %d cases rolled back: %s", len(fire), err)
        raise BatchRefused(str(err)) from err
    return failed
