"""Handlers that exist only for the engine's tests; `register()` adds them to the registry.

The integration tests' conftest registers them once per session, before any test deploys a
diagram that names them (deploy refuses an unknown handler).
"""
from __future__ import annotations

from sqlalchemy import text

from handlers.registry import handler

FAIL = {"on": False, "cases": set()}
# {"target": (engine, case id)}: the next test_meddle call changes that case from another connection, once
MEDDLE: dict = {}


def echo(value, *, clock) -> dict:
    return {"echoed": value, "at": clock.now().isoformat()}


def flaky(*, case) -> dict:
    if FAIL["on"] or case.id in FAIL["cases"]:
        raise RuntimeError("registry office is unreachable")
    return {"numbered": f"N-{case.id}"}


def count(counter=0) -> dict:
    return {"counter": (counter or 0) + 1}


def meddle(*, case) -> dict:
    """Another process's step landing on a case while this step runs."""
    if MEDDLE:
        engine, other = MEDDLE.pop("target")
        with engine.begin() as conn:
            conn.execute(text("UPDATE cases SET row_version = row_version + 1 WHERE id = :i"), {"i": other})
    return {}


HANDLERS = {"test_echo": echo, "test_flaky": flaky, "test_count": count, "test_meddle": meddle}


def register() -> list[str]:
    """Registers every handler above under its operator name; registering twice is harmless."""
    for name, fn in HANDLERS.items():
        handler(name)(fn)
    return sorted(HANDLERS)
