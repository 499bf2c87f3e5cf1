"""Due BPMN timers of many cases fired in one transaction: one BEGIN, one COMMIT, one query
for the cases, two for their read rows and one executemany per kind of write, instead of a
round of each per case.

Each case's step is still whole: its blob, read tables and audit events are written together.
The batch commits only when every case in it went through cleanly; anything else (an engine
failure, a case changed meanwhile, a database error) rolls the whole batch back and the
scheduler fires those cases one step at a time, which records errors and conflicts as usual.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from . import projection
from .clock import utcnow
from .models import Case
from .runtime import StepLog
from .steps import WRITE_CASE, Action

log = logging.getLogger(__name__)


class BatchRefused(Exception):
    """The batch wrote nothing; fire its cases one by one."""


def fire_batch(services, fire: dict[int, list[str]]) -> None:
    """`fire` maps case id -> timer task uuids. Raises BatchRefused if nothing was stored."""
    now = utcnow()
    try:
        with services.uow() as uow:
            session = uow.session
            cases = session.scalars(select(Case).where(Case.id.in_(sorted(fire))).order_by(Case.id)).all()
            if len(cases) != len(fire):
                raise BatchRefused("a case is gone")
            rows = projection.rows_of_cases(session, [case.id for case in cases])
            projection.defer_writes(session)
            for case in cases:
                if case.status != "running":
                    raise BatchRefused(f"case {case.id} is {case.status}")
                action = Action("timers", "scheduler", fire=fire[case.id])
                wf = services.runner.load(session, case, action.actor, now)
                steplog = StepLog()
                services.runner.apply(wf, action, steplog)
                services.runner.save(session, case, wf, action, steplog, now, rows[case.id])
            projection.flush_deferred(session, guarded=WRITE_CASE)
            uow.commit()
    except BatchRefused:
        raise
    except Exception as err:      # noqa: BLE001 - every case is replayed alone, where errors are recorded
        log.debug("timer batch of %d cases rolled back: %s", len(fire), err)
        raise BatchRefused(str(err)) from err
