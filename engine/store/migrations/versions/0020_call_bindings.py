"""Each case records which deployed version every process it calls runs (chosen when it starts).

Revision ID: 0020_call_bindings
Revises: 0019_deputies
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_call_bindings"
down_revision = "0019_deputies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("call_bindings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("call_bindings")
