"""Liaison stations can be deactivated (the directory's edit form)

Revision ID: 0024_meeting_followups
Revises: 0023_inbox_unit_index

The 代表恳谈会 follow-ups need no table of their own (their inbox tasks are `human_task` rows of
kind "follow_up"); the directory's edit form deactivates a station instead of deleting it, so the
referrals made through it keep their station.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_meeting_followups"
down_revision = "0023_inbox_unit_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("liaison_station") as batch:
        batch.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("liaison_station") as batch:
        batch.drop_column("active")
