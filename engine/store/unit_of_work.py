"""A unit of work: one transaction per engine step, committed explicitly or rolled back."""
from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

# A connection whose transaction a web request began for its first read (the bearer token), kept
# for the request's first unit of work, so that read and the service's work are one transaction.
_PARKED: ContextVar[Connection | None] = ContextVar("xinfang_parked_connection", default=None)


def begin_request(engine: Engine) -> Connection:
    """A connection with its transaction begun, which the request's next unit of work takes over
    (its commit or rollback ends this transaction). `end_request` returns it if none did."""
    end_request()
    connection = engine.connect()
    connection.begin()
    _PARKED.set(connection)
    return connection


def end_request() -> None:
    connection = _PARKED.get()
    if connection is not None:
        _PARKED.set(None)
        connection.close()      # rolls back what no unit of work took over


class UnitOfWork:
    """`write=True` takes SQLite's write lock at BEGIN so concurrent steps queue cleanly.

    `reads_alone=True` (reads only, nothing set for the transaction) runs each statement on
    PostgreSQL as its own, in autocommit: under READ COMMITTED every statement of a transaction
    takes its own snapshot anyway, so a reader sees the same rows, and the BEGIN and ROLLBACK
    round trips go (an inbox page: three round trips became one). Unless the request's first
    read already began the transaction (`begin_request`), which it then keeps."""

    def __init__(self, factory: sessionmaker, *, write: bool = True, reads_alone: bool = False):
        if write and reads_alone:
            raise ValueError("a unit of work that writes needs its transaction")
        self._factory = factory
        self._write = write
        self._reads_alone = reads_alone
        self._connection: Connection | None = None
        self.session: Session

    def __enter__(self) -> "UnitOfWork":
        self._connection = _PARKED.get()
        if self._connection is not None:
            _PARKED.set(None)
            self.session = self._factory(bind=self._connection, join_transaction_mode="control_fully")
            return self
        engine = self._factory.kw["bind"]
        if self._reads_alone and engine.dialect.name == "postgresql":
            self._connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self.session = self._factory(bind=self._connection)
            return self
        self.session = self._factory()
        if self._write and engine.dialect.name == "sqlite":
            self.session.connection(execution_options={"sqlite_immediate": True})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            if self._connection is not None:
                self._connection.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
