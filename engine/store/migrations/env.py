"""Alembic environment: the engine is handed over by engine.store.db, never built from a URL here."""
from alembic import context

from engine.store.models import Base

config = context.config
connectable = config.attributes["engine"]

with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
