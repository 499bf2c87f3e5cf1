"""The one clock: every "now" of the engine and the office, SpiffWorkflow's timers included, is `utcnow()`.

It can be moved for one context: analysts' scenario runs and `xinfang demo` play cases on a
chosen time while the web server and the scheduler go on in real time in the same process. The
moved clock lives in a context variable, so it is seen only by the thread (or asyncio task) that
entered `travel`; a new thread starts on the real clock unless it is given `carried(fn)`.
Tests may still move the whole process with time-machine: the real clock reads `datetime.now`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from functools import wraps
from typing import Callable, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class MovedClock:
    """A clock that stands still at a chosen instant until moved: each step of a replay sees
    exactly the time it was given, as time-machine's `tick=False` did."""

    def __init__(self, instant: datetime):
        self._now = _aware(instant)

    def now(self) -> datetime:
        return self._now

    def move_to(self, instant: datetime) -> None:
        self._now = _aware(instant)

    def shift(self, delta: timedelta) -> None:
        self._now += delta


_moved: ContextVar[MovedClock | None] = ContextVar("xinfang_moved_clock", default=None)


def utcnow() -> datetime:
    """The current instant (aware, UTC): the real time unless this context runs on a moved clock."""
    moved = _moved.get()
    return moved.now() if moved is not None else datetime.now(timezone.utc)


@contextmanager
def travel(instant: datetime) -> Iterator[MovedClock]:
    """Runs the block on a clock standing at `instant`; other threads and requests keep theirs.
    Nested travels restore the outer clock on exit."""
    clock = MovedClock(instant)
    token = _moved.set(clock)
    try:
        yield clock
    finally:
        _moved.reset(token)


def carried(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` bound to the caller's clock, for running on a pool thread: a thread starts with an
    empty context, so without this a worker would fire a moved replay's timers in real time."""
    moved = _moved.get()

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _moved.set(moved)
        try:
            return fn(*args, **kwargs)
        finally:
            _moved.reset(token)
    return run


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"a moved clock needs an instant with a UTC offset, not {instant.isoformat()}")
    return instant.astimezone(timezone.utc)


def parse_instant(value: str) -> datetime:
    """ISO 8601 with an offset; offset-less timestamps are refused because their meaning
    depends on the server's time zone."""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None
    if dt.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no UTC offset (write e.g. {value}+08:00)")
    return dt.astimezone(timezone.utc)


def iso(value: datetime | None) -> str | None:
    """An instant as ISO 8601 text, or None: the one shape dates take in the service API."""
    return value.isoformat() if value else None
