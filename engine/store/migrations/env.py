"""Alembic environment: the engine is handed over by engine.store.db, never built from a URL here."""
from alembic import context

from engine.store.models import Base

config = context.config
connectable = config.attributes["engine"]

with connectable.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by dropping it; SQLite refuses that while other tables point at it,
        # and the pragma only takes effect outside a transaction, so it goes to the driver before SQLAlchemy's
        # BEGIN (Alembic's batch-mode advice).
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=sqlite)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
