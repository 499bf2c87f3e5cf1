"""editor: log of case migrations between process versions

Revision ID: 0007_editor
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0007_editor"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "case_migration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_definition_id", sa.Integer(), nullable=False),
        sa.Column("to_definition_id", sa.Integer(), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("old_state", sa.LargeBinary(), nullable=False),
        sa.Column("new_state_hash", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", UTC(timezone=True), nullable=False),
        sa.Column("reverted_by", sa.String(length=64), nullable=True),
        sa.Column("reverted_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["from_definition_id"], ["definition.id"]),
        sa.ForeignKeyConstraint(["to_definition_id"], ["definition.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_migration_case_id", "case_migration", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_migration_case_id", table_name="case_migration")
    op.drop_table("case_migration")
