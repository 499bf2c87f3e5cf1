"""A unit of work: one transaction per engine step, committed explicitly or rolled back."""
from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork:
    """`write=True` takes SQLite's write lock at BEGIN so concurrent steps queue cleanly."""

    def __init__(self, factory: sessionmaker, *, write: bool = True):
        self._factory = factory
        self._write = write
        self.session: Session

    def __enter__(self) -> "UnitOfWork":
        self.session = self._factory()
        if self._write and self.session.get_bind().dialect.name == "sqlite":
            self.session.connection(execution_options={"sqlite_immediate": True})
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
