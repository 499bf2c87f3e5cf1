"""KPI per unit: unit_metrics (one row per 主办/协办 unit of a case); case_metrics.unit holds the lead
unit only, plus routing mode and time and the unit's rating

Revision ID: 0008_kpi_rollup
Revises: 0006_kpi, 0002

Existing cases are backfilled: the lead is the first of the comma-joined units, the routing time
is the last 转送/交办 milestone event, the mode the projected `route` fact, and a co-handling
unit's part is done when its completed task says so.
"""
import sqlalchemy as sa
from alembic import op

import engine.models

revision = "0008_kpi_rollup"
down_revision = ("0006_kpi", "0002")   # case_metrics; the backfill reads cases.facts
branch_labels = None
depends_on = None

UTC = engine.models.UTCDateTime
MODES = ("交办", "转送")
CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table("case_metrics") as batch_op:
        batch_op.add_column(sa.Column("unit_rating", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("mode", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("routed_at", UTC(timezone=True), nullable=True))
    op.create_table(
        "unit_metrics",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("in_stats", sa.Boolean(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("routed_at", UTC(timezone=True), nullable=True),
        sa.Column("due", UTC(timezone=True), nullable=True),
        sa.Column("done_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "unit"),
    )
    op.create_index("ix_unit_metrics_unit_routed", "unit_metrics", ["unit", "routed_at"])
    op.create_index("ix_unit_metrics_routed", "unit_metrics", ["routed_at"])
    op.create_index("ix_unit_metrics_due", "unit_metrics", ["due"])
    _backfill(op.get_bind())


def _backfill(conn) -> None:
    metrics = sa.table("case_metrics", sa.column("case_id", sa.Integer), sa.column("unit", sa.String),
                       sa.column("in_stats", sa.Boolean), sa.column("persons", sa.Integer),
                       sa.column("handle_due", UTC()), sa.column("done_at", UTC()), sa.column("rating", sa.String),
                       sa.column("unit_rating", sa.String), sa.column("mode", sa.String),
                       sa.column("routed_at", UTC()))
    units = sa.table("unit_metrics", *[sa.column(n) for n in ("case_id", "unit", "lead", "mode", "in_stats",
                                                              "persons", "routed_at", "due", "done_at")])
    events = sa.table("case_event", sa.column("case_id", sa.Integer), sa.column("at", UTC()),
                      sa.column("bpmn_id", sa.String))
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("facts", sa.JSON))
    tasks = sa.table("human_task", sa.column("case_id", sa.Integer), sa.column("unit", sa.String),
                     sa.column("state", sa.String), sa.column("completed_at", UTC()))
    routed = dict(conn.execute(sa.select(events.c.case_id, sa.func.max(events.c.at))
                               .where(events.c.bpmn_id == "m__routed").group_by(events.c.case_id)).all())
    done = {(c, u): at for c, u, at in conn.execute(sa.select(tasks.c.case_id, tasks.c.unit, tasks.c.completed_at)
                                                    .where(tasks.c.state == "completed", tasks.c.unit.is_not(None)))}
    rows = conn.execute(sa.select(metrics.c.case_id, metrics.c.unit, metrics.c.in_stats, metrics.c.persons,
                                  metrics.c.handle_due, metrics.c.done_at, cases.c.facts)
                        .join(cases, cases.c.id == metrics.c.case_id).where(metrics.c.unit.is_not(None))).all()
    for start in range(0, len(rows), CHUNK):
        inserts = []
        for case_id, unit_list, in_stats, persons, due, done_at, facts in rows[start:start + CHUNK]:
            named = list(dict.fromkeys(u.strip() for u in unit_list.split(",") if u.strip()))
            mode = (facts or {}).get("route") if isinstance(facts, dict) else None
            mode = mode if mode in MODES else None
            common = {"case_id": case_id, "mode": mode, "in_stats": in_stats, "persons": persons,
                      "routed_at": routed.get(case_id), "due": due}
            inserts += [{**common, "unit": unit, "lead": i == 0,
                         "done_at": done_at if i == 0 else done.get((case_id, unit))} for i, unit in enumerate(named)]
            conn.execute(metrics.update().where(metrics.c.case_id == case_id).values(
                unit=named[0][:64] if named else None, mode=mode, routed_at=routed.get(case_id),
                unit_rating=metrics.c.rating))
        if inserts:
            conn.execute(units.insert(), inserts)


def downgrade() -> None:
    for name in ("ix_unit_metrics_due", "ix_unit_metrics_routed", "ix_unit_metrics_unit_routed"):
        op.drop_index(name, table_name="unit_metrics")
    op.drop_table("unit_metrics")
    with op.batch_alter_table("case_metrics") as batch_op:
        for name in ("routed_at", "mode", "unit_rating"):
            batch_op.drop_column(name)
