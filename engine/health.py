"""Readiness for load balancers and orchestrators: database, schema, scheduler heartbeat."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import db, scheduler
from .clock import utcnow


class HealthServices:
    """Mixed into Services; relies on `engine`, `uow()` and `settings`."""

    def readiness(self) -> dict:
        """Each check with its finding; `ready` only when all pass. A heartbeat is fresh when a
        scheduler ticked within max(30 s, 30 ticks)."""
        checks: dict[str, dict] = {}
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
        except SQLAlchemyError as err:
            checks["database"] = {"ok": False, "error": type(err).__name__}
            return {"ready": False, "checks": checks}
        current, expected = db.current_heads(self.engine), db.expected_heads(self.engine)
        checks["migrations"] = {"ok": current == expected, "current": sorted(current), "expected": sorted(expected)}
        with self.uow(write=False) as uow:
            age = scheduler.status(uow.session, utcnow())["heartbeat_age_s"]
        limit = max(30.0, 30 * self.settings.tick_seconds)
        checks["scheduler"] = {"ok": age is not None and age <= limit, "heartbeat_age_s": age, "limit_s": limit}
        return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}
