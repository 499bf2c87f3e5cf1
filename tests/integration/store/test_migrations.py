"""The schema comes from Alembic migrations, and they describe exactly the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from engine.store import db
from engine.store.models import Base
from engine.settings import Settings


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_upgrade_from_empty_reaches_every_head(tmp_path):
    engine = db.make_engine(Settings(database_url=f"sqlite:///{tmp_path}/fresh.db"))
    db.upgrade(engine)
    assert db.migrations_current(engine)
    assert {"cases", "human_task", "timer", "case_event", "definition"} <= set(inspect(engine).get_table_names())
    engine.dispose()
