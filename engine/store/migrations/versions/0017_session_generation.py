"""A session generation per user (sign-out everywhere, new password and deactivation end every
older session cookie), and the throttle table dropped: rate limits moved to Flask-Limiter
(webui/limits.py), whose counters live in Redis or in memory.

Revision ID: 0017_session_generation
Revises: 0016_directory_query_codes
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0017_session_generation"
down_revision = "0016_directory_query_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index("ix_throttle_hit_key_at", table_name="throttle_hit")
    op.drop_table("throttle_hit")


def downgrade() -> None:
    op.create_table(
        "throttle_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", engine.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_throttle_hit_key_at", "throttle_hit", ["key", "at"])
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("session_generation")
