"""human_task.kind: a workflow task ("bpmn") or one a feature opened beside the workflow
(a 督办 task, "supervision"), said by a column instead of a colon in the id.
Also merges the branches that grew from 0001 into one head.

Revision ID: 0014_task_kind
Revises: 0003_scheduler, 0004_documents, 0005_web, 0007_editor, 0008_kpi_rollup, 0009_evaluation, 0013_metrics_digest
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_task_kind"
down_revision = ("0003_scheduler", "0004_documents", "0005_web", "0007_editor", "0008_kpi_rollup",
                 "0009_evaluation", "0013_metrics_digest")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="bpmn"))
    op.execute("UPDATE human_task SET kind = 'supervision' WHERE bpmn_id LIKE 'supervise:%'")


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch_op:
        batch_op.drop_column("kind")
