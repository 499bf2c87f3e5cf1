"""评 evaluation: imported organ rates and score weights

Revision ID: 0009_evaluation
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0009_evaluation"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "organ_rates",
        sa.Column("organ", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("appeal_rate", sa.Float(), nullable=False),
        sa.Column("reversal_rate", sa.Float(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=True),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("organ", "period"),
    )
    op.create_table(
        "evaluation_weight",
        sa.Column("component", sa.String(length=32), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("component"),
    )


def downgrade() -> None:
    op.drop_table("evaluation_weight")
    op.drop_table("organ_rates")
