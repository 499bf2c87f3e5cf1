"""Change notices from PostgreSQL (LISTEN/NOTIFY): what lets a process keep a cache of rows that
other processes may change, and drop it the moment they do.

A `Listener` holds one connection per process on one channel, on a daemon thread. Its `epoch`
goes up with every notice and every (re)connection; a cache stores each entry with the epoch it
took before reading the rows, and trusts it only while the epoch is unchanged. The listener is
`healthy` only once it has heard its own test notice on the channel (so a notice sent now will
be heard); while it is not, `epoch()` answers None and callers read the database. Triggers send
the notices (a migration per channel), so every writer is covered, psql included; writes of this
process bump the epoch at once as well (`bump_on_writes`), before their notice comes back.
"""
from __future__ import annotations

import logging
import os
import threading
import uuid

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0
POLL_SECONDS = 1.0


class Listener:
    """LISTEN on `channel` on a connection of its own, from a daemon thread started on first use
    in each process (a forked worker starts its own)."""

    def __init__(self, engine: Engine, channel: str):
        self.engine, self.channel = engine, channel
        self._lock = threading.Lock()
        self._epoch = 0
        self._healthy = False
        self._pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.backend_pid: int | None = None     # the listening connection's server process

    # -- what a cache asks --------------------------------------------------------------------
    def epoch(self) -> int | None:
        """The current epoch, or None while notices may be missed (not yet listening, or the
        connection lost): then nothing cached may be trusted."""
        self._ensure_started()
        with self._lock:
            return self._epoch if self._healthy else None

    def bump(self) -> None:
        """Something changed: every entry stored before now is stale."""
        with self._lock:
            self._epoch += 1

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=POLL_SECONDS * 3)
        with self._lock:
            self._healthy = False

    # -- the thread ---------------------------------------------------------------------------
    def _ensure_started(self) -> None:
        if self._pid == os.getpid() or self._stop.is_set():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._healthy = os.getpid(), False     # a forked child inherits no thread
            self._thread = threading.Thread(target=self._run, name=f"listen-{self.channel}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as err:  # any failure: stop trusting caches, then reconnect
                log.warning("listening on %s failed (%s); caches are bypassed until it is back",
                            self.channel, type(err).__name__)
            with self._lock:
                self._healthy = False
                self._epoch += 1
            self._stop.wait(RETRY_SECONDS)

    def _listen(self) -> None:
        dialect = self.engine.dialect
        args, kwargs = dialect.create_connect_args(self.engine.url)
        conn = dialect.loaded_dbapi.connect(*args, **kwargs)
        try:
            conn.autocommit = True
            self.backend_pid = conn.info.backend_pid
            conn.execute(f'LISTEN "{self.channel}"')
            probe = f"probe-{uuid.uuid4().hex}"
            conn.execute("SELECT pg_notify(%s, %s)", (self.channel, probe))
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=POLL_SECONDS):
                    with self._lock:
                        self._epoch += 1
                        if notice.payload == probe:     # heard its own notice: listening works
                            self._healthy = True
                conn.execute("SELECT 1")                # a lost connection shows here, once a second
        finally:
            conn.close()


def bump_on_writes(engine: Engine, listener: Listener, tables: tuple[str, ...],
                   quiet: tuple[str, ...] = ()) -> None:
    """Bumps `listener` when this process writes to one of `tables` (INSERT, UPDATE, DELETE,
    TRUNCATE), as the statement runs: a request served right after a change in this process must
    not wait for the change's notice to come back. An UPDATE that sets only `quiet` columns (which
    no cache holds, and no trigger notices) is let pass."""
    watched = frozenset(t.lower() for t in tables)

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement[:1] not in "IUDTiudt":
            return
        if written_table(statement) in watched and not sets_only(statement, quiet):
            listener.bump()
    event.listen(engine, "before_cursor_execute", before)


def written_table(statement: str) -> str | None:
    """The table an INSERT / UPDATE / DELETE / TRUNCATE writes, or None for anything else."""
    words = statement[:120].lower().replace('"', " ").replace("(", " ").split()
    if len(words) < 2:
        return None
    if words[0] in ("insert", "delete") and len(words) > 2:
        return words[2]
    if words[0] == "update":
        return words[1]
    if words[0] == "truncate":
        return words[2] if words[1] == "table" and len(words) > 2 else words[1]
    return None


def sets_only(statement: str, columns: tuple[str, ...]) -> bool:
    """Whether an UPDATE assigns nothing but `columns`."""
    lowered = " ".join(statement.lower().split())
    if not columns or not lowered.startswith("update") or " set " not in lowered:
        return False
    assignments = lowered.split(" set ", 1)[1].split(" where ", 1)[0].split(",")
    return all(a.split("=", 1)[0].strip().strip('"') in columns for a in assignments)
