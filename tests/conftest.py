"""Shared fixtures: a migrated database per test on SQLite and PostgreSQL, and services on it.

PostgreSQL tests use a database of their own per test run (per worker under pytest-xdist),
created from the `test` database at 127.0.0.1:5432. With CI=true they must run: an
unreachable server fails.
"""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.store import db
from office.root import Services
from engine.settings import Settings
from tests.support.databases import IN_CI, PG_ADMIN_URL, pg_available, truncate_pg
from tests.support.office import make_office


@pytest.fixture(scope="session")
def pg_url():
    if not pg_available():
        if IN_CI:
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is required when CI=true")
        pytest.skip("PostgreSQL is not reachable (set CI=true to make this a failure)")
    name = f"xinfang_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = db.make_engine(Settings(database_url=url))
    db.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(Settings(database_url=f"sqlite:///{path}"))
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path, sqlite_template) -> str:
    if request.param == "sqlite":
        path = tmp_path / "xinfang.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_url")
    truncate_pg(url)
    return url


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(database_url=database_url, storage_dir=tmp_path / "documents", testing=True,
                    scheduler_enabled=False, secret_key="test-secret")


@pytest.fixture
def services(settings):
    svc = Services(settings)
    yield svc
    svc.close()


@pytest.fixture
def pg_services(pg_url, tmp_path):
    """For behaviour only PostgreSQL shows (row locks, optimistic version checks under real concurrency)."""
    truncate_pg(pg_url)
    svc = Services(Settings(database_url=pg_url, storage_dir=tmp_path / "documents", testing=True,
                            scheduler_enabled=False, secret_key="test-secret"))
    yield svc
    svc.close()


@pytest.fixture
def sqlite_services(tmp_path, sqlite_template):
    """For tests of pure behaviour, where running twice on PostgreSQL adds nothing."""
    path = tmp_path / "xinfang.db"
    shutil.copy(sqlite_template, path)
    svc = Services(Settings(database_url=f"sqlite:///{path}", storage_dir=tmp_path / "documents",
                            testing=True, scheduler_enabled=False, secret_key="test-secret"))
    yield svc
    svc.close()


@pytest.fixture
def office1(sqlite_services):
    """The shipped processes and demo users on SQLite, driven like the office's staff would
    (tests/support/office.py): story tests whose PostgreSQL run adds nothing."""
    return make_office(sqlite_services)
