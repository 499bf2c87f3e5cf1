"""The directory of units (short name, parent, region, active) and the petitioner's query codes
(encrypted, revocable).

Revision ID: 0016_directory_query_codes
Revises: 0015_kpi_rules
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0016_directory_query_codes"
down_revision = "0015_kpi_rules"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("parent_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("region_code", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "query_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("code_enc", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UTC(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", UTC(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_query_code_case", "query_code", ["case_id", "revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_query_code_case", table_name="query_code")
    op.drop_table("query_code")
    with op.batch_alter_table("unit") as batch_op:
        for column in ("active", "region_code", "parent_code", "short_name"):
            batch_op.drop_column(column)
