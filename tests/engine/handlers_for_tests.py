"""Handlers that exist only for engine tests."""
from __future__ import annotations

from handlers.registry import handler

FAIL = {"on": False}


@handler("test_echo")
def echo(value, *, clock) -> dict:
    return {"echoed": value, "at": clock.now().isoformat()}


@handler("test_flaky")
def flaky(*, case) -> dict:
    if FAIL["on"]:
        raise RuntimeError("registry office is unreachable")
    return {"numbered": f"N-{case.id}"}


@handler("test_count")
def count(counter=0) -> dict:
    return {"counter": (counter or 0) + 1}
