"""Start-up guard: refuse to run on cases written by a serializer we cannot load safely.

SpiffWorkflow's own migrations crash on stored cases with subprocesses (1.3→1.4, 1.4→1.5,
engine-notes §2), so an upgrade of the pinned library must come with a tested migration
listed here, or the cases must be drained first.
"""
from __future__ import annotations

from sqlalchemy import Engine, select

from engine.errors import XinfangError
from engine.store.models import Case
from engine.bpmn.serialization import LIB_VERSION, STATE_FORMAT

# (state_format, library version) pairs this release loads, each covered by tests/integration/corpus
TESTED_LOADS = {(STATE_FORMAT, LIB_VERSION)}


class IncompatibleStore(XinfangError):
    code = "incompatible_store"


def check_stored_cases(engine: Engine, tested: set[tuple[str, str]] | None = None) -> None:
    tested = TESTED_LOADS if tested is None else tested
    with engine.connect() as conn:
        found = set(conn.execute(select(Case.state_format, Case.lib_version).group_by(
            Case.state_format, Case.lib_version)).all())
    unknown = sorted(f"format {fmt} (SpiffWorkflow {lib})" for fmt, lib in found if (fmt, lib) not in tested)
    if unknown:
        raise IncompatibleStore(
            f"stored cases were written as {', '.join(unknown)}, but this installation runs SpiffWorkflow "
            f"{LIB_VERSION} (format {STATE_FORMAT}) and has no tested migration for them; "
            f"reinstall the previous version or add and test a migration before starting")
