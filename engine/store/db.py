"""Database engines, sessions and schema migrations for SQLite and PostgreSQL."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.orm import sessionmaker

from engine.settings import Settings

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(settings: Settings) -> Engine:
    """SQLite gets WAL and a busy timeout so readers never block the single writer."""
    url = settings.database_url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url, pool_size=10, max_overflow=20, connect_args={"options": _pg_options(url)})
    # An INSERT of several rows goes as one multi-row statement, compiled once (execute_rows).
    # SQLAlchemy does this for INSERT … RETURNING and for psycopg2; for psycopg it is off
    # because psycopg pipelines an executemany, which still costs a round of work per row.
    engine.dialect.use_insertmanyvalues_wo_returning = True
    if settings.db_pre_ping:
        StalePing(engine, settings.db_ping_after).listen()
    return engine


def _pg_options(url: str) -> str:
    """No JIT compilation for our sessions: our queries are short, and PostgreSQL compiles a query
    whose estimated cost is high, which a correlated subquery's estimate easily is (the unit staff's
    inbox page: 5 ms to run, 330 ms to compile). The KPI scans, which read a million rows, turn it
    on for their own transaction. Options given in the URL are kept."""
    given = make_url(url).query.get("options") or ""
    return " ".join(filter(None, [given if isinstance(given, str) else " ".join(given), "-c jit=off"]))


class StalePing:
    """SQLAlchemy's `pool_pre_ping` pings at every checkout: on PostgreSQL a round trip and a
    transaction, twice per web request, which was 40 % of the server's database CPU on the
    request-pattern benchmark. A connection that went back to the pool less than `after` seconds
    ago was alive then, so only an older one is pinged; a dead one is discarded at checkout and
    the pool tries another (`DisconnectionError`, as SQLAlchemy documents for pessimistic
    checks). A restart within those seconds of a connection's last use fails that one request, and
    the pool then drops every connection opened before the failure."""

    def __init__(self, engine: Engine, after: float, clock: Callable[[], float] = time.monotonic):
        self.engine, self.after, self.clock = engine, after, clock

    def listen(self) -> None:
        event.listen(self.engine, "connect", self.checkin)        # a new connection is alive
        event.listen(self.engine, "checkin", self.checkin)
        event.listen(self.engine, "checkout", self.checkout)

    def checkin(self, _dbapi_conn, record) -> None:
        record.info["xf_returned"] = self.clock()

    def checkout(self, dbapi_conn, record, _proxy) -> None:
        returned = record.info.get("xf_returned")
        if returned is not None and self.clock() - returned < self.after:
            return
        try:
            self.engine.dialect.do_ping(dbapi_conn)
        except self.engine.dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError(f"stale connection: {err}") from err


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None   # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn) -> None:
    """Writers BEGIN IMMEDIATE, taking the lock up front so two writers queue instead of
    failing on lock upgrade; readers stay deferred so WAL lets them run beside a writer."""
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    command.upgrade(alembic_config(engine), revision)


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def expected_heads(engine: Engine) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


def migrations_current(engine: Engine) -> bool:
    return current_heads(engine) == expected_heads(engine)
