"""A web process pings a pooled connection only when it sat idle: after a database restart the
first request still succeeds, and under load no checkout costs a round trip."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from engine.settings import Settings
from engine.store.db import StalePing

pytestmark = pytest.mark.postgres


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _engine(url: str, clock: Clock):
    engine = create_engine(url, pool_size=1, max_overflow=0)
    StalePing(engine, 2.0, clock).listen()
    pings = []
    real = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(1) or real(conn)
    return engine, pings


def _restart(url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:       # what a server restart does to clients
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()


def test_a_connection_idle_past_the_threshold_is_pinged_and_replaced_after_a_restart(pg_url):
    clock = Clock()
    engine, pings = _engine(pg_url, clock)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        _restart(pg_url)
        clock.now += 2.5                    # the pooled connection has been idle for 2.5 s
        with engine.connect() as conn:
            after = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert after != before, "the dead connection was discarded at checkout, not handed out"
        assert pings, "an idle connection is pinged"
    finally:
        engine.dispose()


def test_a_connection_back_within_the_threshold_is_handed_out_without_a_ping(pg_url):
    clock = Clock()
    engine, pings = _engine(pg_url, clock)
    try:
        for _ in range(5):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            clock.now += 0.5
        assert pings == [], "a new connection and one back within 2 s are handed out as they are"
    finally:
        engine.dispose()


def test_the_threshold_is_a_setting_and_refuses_nonsense():
    assert Settings.from_env({"XINFANG_DB_PING_AFTER": "0"}).db_ping_after == 0.0
    assert Settings.from_env({}).db_ping_after == 2.0
    from engine.errors import ValidationFailed
    with pytest.raises(ValidationFailed, match="XINFANG_DB_PING_AFTER"):
        Settings.from_env({"XINFANG_DB_PING_AFTER": "-1"})
