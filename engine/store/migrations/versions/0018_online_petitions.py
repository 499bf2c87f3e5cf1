"""Online petitions (网上信访) waiting for 登记审核, and their attachments.

Revision ID: 0018_online_petitions
Revises: 0017_session_generation
"""
import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = "0018_online_petitions"
down_revision = "0017_session_generation"
branch_labels = None
depends_on = None

UTC = engine.store.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "online_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("form_enc", sa.Text(), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("code_enc", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", UTC(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", UTC(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("idempotency_key"),
    )
    op.create_index("ix_online_submission_state", "online_submission", ["state", "submitted_at"])
    op.create_table(
        "online_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("content_type", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["online_submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_online_file_submission_id", "online_file", ["submission_id"])


def downgrade() -> None:
    op.drop_index("ix_online_file_submission_id", table_name="online_file")
    op.drop_table("online_file")
    op.drop_index("ix_online_submission_state", table_name="online_submission")
    op.drop_table("online_submission")
