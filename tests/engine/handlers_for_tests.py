"""Handlers that exist only for engine tests."""
from __future__ import annotations

from sqlalchemy import text

from handlers.registry import handler

FAIL = {"on": False, "cases": set()}
# {"target": (engine, case id)}: the next test_meddle call changes that case from another connection, once
MEDDLE: dict = {}


@handler("test_echo")
def echo(value, *, clock) -> dict:
    return {"echoed": value, "at": clock.now().isoformat()}


@handler("test_flaky")
def flaky(*, case) -> dict:
    if FAIL["on"] or case.id in FAIL["cases"]:
        raise RuntimeError("registry office is unreachable")
    return {"numbered": f"N-{case.id}"}


@handler("test_count")
def count(counter=0) -> dict:
    return {"counter": (counter or 0) + 1}


@handler("test_meddle")
def meddle(*, case) -> dict:
    """Another process's step landing on a case while this step runs."""
    if MEDDLE:
        engine, other = MEDDLE.pop("target")
        with engine.begin() as conn:
            conn.execute(text("UPDATE cases SET row_version = row_version + 1 WHERE id = :i"), {"i": other})
    return {}
