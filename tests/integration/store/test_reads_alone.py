"""A reading unit of work on PostgreSQL runs in autocommit (no BEGIN and ROLLBACK round trips);
the pooled connection it used gives the next unit of work a real transaction again."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from engine.clock import utcnow
from engine.store.models import User


def test_a_reader_sends_no_transaction_and_the_next_writer_still_rolls_back(pg_services):
    core = pg_services.core
    engine = core.engine
    engine.dispose()                                   # one pooled connection, used by both
    with core.uow(write=False, reads_alone=True) as uow:
        assert uow.session.scalars(select(User.username)).all() == []
        in_transaction = uow.session.execute(text("SELECT now() <> statement_timestamp()")).scalar()
        assert in_transaction is False, "each statement is its own transaction"
    assert engine.pool.checkedin() == 1
    with core.uow() as uow:                             # same connection back from the pool
        uow.session.add(User(username="written_then_rolled_back", display_name="x", created_at=utcnow()))
        uow.session.flush()
        assert uow.session.execute(text("SELECT now() = statement_timestamp()")).scalar() is False
        uow.rollback()
    with core.uow(write=False, reads_alone=True) as uow:
        assert uow.session.scalars(select(User.username)).all() == [], "the writer's rollback held"


def test_a_writer_cannot_ask_to_read_alone(services):
    with pytest.raises(ValueError):
        services.core.uow(write=True, reads_alone=True)
