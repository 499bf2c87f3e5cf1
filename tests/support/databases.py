"""The PostgreSQL server the tests use, and emptying a test database between tests."""
from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from engine.store.models import Base

PG_ADMIN_URL = os.environ.get("XINFANG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect():
            pass
        eng.dispose()
        return True
    except Exception:
        return False


def truncate_pg(url: str) -> None:
    """Empties every table and restarts the identity sequences: a fresh office, the schema kept."""
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


def module_services(request, tmp_path_factory, sqlite_template):
    """Services on a fresh database of the fixture's parameter ("sqlite" or "postgres"), for a
    module-scoped story that is built once and only read by its tests."""
    import shutil
    from engine.settings import Settings
    from office.root import Services
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("story") / "x.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        truncate_pg(url)
    return Services(Settings(database_url=url, testing=True, scheduler_enabled=False, secret_key="test-secret",
                             storage_dir=tmp_path_factory.mktemp("files")))
