"""The one clock. Tests move it with time-machine, which also moves SpiffWorkflow's."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
