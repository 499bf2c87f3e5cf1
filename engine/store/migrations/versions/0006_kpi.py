"""KPI read table case_metrics

Revision ID: 0006_kpi
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0006_kpi"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime
DATES = ("registered_at", "route_due", "accepted_at", "unit_accept_due", "unit_accepted_at", "handle_due",
         "done_at", "closed_at")
INDEXES = {"ix_case_metrics_registered": "registered_at", "ix_case_metrics_route_due": "route_due",
           "ix_case_metrics_unit_due": "unit_accept_due", "ix_case_metrics_handle_due": "handle_due",
           "ix_case_metrics_evaluation_due": "evaluation_due", "ix_case_metrics_closed": "closed_at",
           "ix_case_metrics_unit": "unit", "ix_case_metrics_main": "main_case_id"}


def upgrade() -> None:
    op.create_table(
        "case_metrics",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reg_no", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("accused_unit", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("organ", sa.String(length=64), nullable=True),
        sa.Column("in_stats", sa.Boolean(), nullable=False),
        *[sa.Column(name, UTC(timezone=True), nullable=True) for name in DATES],
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("evaluation_due", UTC(timezone=True), nullable=True),
        sa.Column("evaluated_at", UTC(timezone=True), nullable=True),
        sa.Column("evaluation_lapsed", sa.Boolean(), nullable=False),
        sa.Column("is_repeat", sa.Boolean(), nullable=False),
        sa.Column("main_case_id", sa.Integer(), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("key_case", sa.Boolean(), nullable=False),
        sa.Column("backlog", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id"),
    )
    for name, column in INDEXES.items():
        op.create_index(name, "case_metrics", [column])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="case_metrics")
    op.drop_table("case_metrics")
