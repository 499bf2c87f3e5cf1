"""Operating the installation: schema upgrades, the start-up guard, key rotation, and readiness
for load balancers and orchestrators (database, schema, scheduler heartbeat)."""
from __future__ import annotations

from typing import BinaryIO

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engine.clock import utcnow
from engine.errors import ValidationFailed
from engine.store import db
from engine.store.compat import check_stored_cases
from engine.timers import scheduler
from office.operations import backup
from office.people import identity


class Operations:
    """What operators do with the installation: the schema, the start-up guard, key rotation, and
    readiness for load balancers."""

    def __init__(self, core, identities):
        self.core = core
        self.identities = identities

    def init_db(self) -> None:
        db.upgrade(self.core.engine)

    def check_ready_to_start(self) -> None:
        """Refuses to run on an old schema or on cases this library version cannot load."""
        if not db.migrations_current(self.core.engine):
            raise ValidationFailed("the database schema is not current; run `xinfang init-db` first")
        check_stored_cases(self.core.engine)

    def export_archive(self, out: BinaryIO, *, progress=None) -> dict:
        """A consistent JSON-lines archive (gzip) of the whole database and stored files."""
        return backup.export_archive(self.core.engine, out, self.core.settings.storage_dir, progress=progress)

    def import_archive(self, source: BinaryIO, *, progress=None) -> dict:
        """Restores an archive into an empty database (SQLite or PostgreSQL)."""
        return backup.import_archive(self.core.engine, source, self.core.settings.storage_dir, progress=progress)

    def rotate_keys(self) -> int:
        """Re-encrypts every identity with the newest field key."""
        with self.core.uow() as uow:
            count = identity.rotate(uow.session, self.identities.keys)
            uow.commit()
            return count

    def readiness(self) -> dict:
        """Each check with its finding; `ready` only when all pass. A heartbeat is fresh when a
        scheduler ticked within max(30 s, 30 ticks)."""
        checks: dict[str, dict] = {}
        try:
            with self.core.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = {"ok": True}
        except SQLAlchemyError as err:
            checks["database"] = {"ok": False, "error": type(err).__name__}
            return {"ready": False, "checks": checks}
        current, expected = db.current_heads(self.core.engine), db.expected_heads(self.core.engine)
        checks["migrations"] = {"ok": current == expected, "current": sorted(current), "expected": sorted(expected)}
        with self.core.uow(write=False) as uow:
            age = scheduler.status(uow.session, utcnow())["heartbeat_age_s"]
        limit = max(30.0, 30 * self.core.settings.tick_seconds)
        checks["scheduler"] = {"ok": age is not None and age <= limit, "heartbeat_age_s": age, "limit_s": limit}
        return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}
