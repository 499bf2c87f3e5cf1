"""KPI per unit and at speed: unit_metrics (one row per 主办/协办 unit of a case); case_metrics keeps
its instants as integer microseconds, holds the lead unit only, the routing mode and time and the
unit's rating

Revision ID: 0008_kpi_rollup
Revises: 0006_kpi, 0002

case_metrics is rebuilt with its instants converted in SQL. Existing cases are then backfilled:
the lead is the first of the comma-joined units, the routing time the last 转送/交办 milestone
event, the mode the projected `route` fact, and a co-handling unit's part is done when its
completed task says so.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from alembic import op

revision = "0008_kpi_rollup"
down_revision = ("0006_kpi", "0002")   # case_metrics; the backfill reads cases.facts
branch_labels = None
depends_on = None

INSTANTS = ("registered_at", "route_due", "accepted_at", "unit_accept_due", "unit_accepted_at", "handle_due",
            "done_at", "closed_at", "evaluation_due", "evaluated_at")
KEPT = ("case_id", "reg_no", "channel", "category", "unit", "accused_unit", "region", "organ", "in_stats",
        "outcome", "rating", "evaluation_lapsed", "is_repeat", "main_case_id", "persons", "key_case", "backlog",
        "resolved")
INDEXES = {"ix_case_metrics_registered": "registered_at", "ix_case_metrics_route_due": "route_due",
           "ix_case_metrics_unit_due": "unit_accept_due", "ix_case_metrics_handle_due": "handle_due",
           "ix_case_metrics_evaluation_due": "evaluation_due", "ix_case_metrics_closed": "closed_at",
           "ix_case_metrics_unit": "unit", "ix_case_metrics_main": "main_case_id"}
UNIT_INDEXES = {"ix_unit_metrics_ledger": ["mode", "unit", "routed_at", "due", "done_at"],
                "ix_unit_metrics_co": ["lead", "due", "in_stats", "unit", "done_at", "persons"]}
ACTIVITY = ("registered_at", "route_due", "unit_accept_due", "handle_due", "closed_at", "evaluation_due",
            "evaluated_at")
MODES = ("交办", "转送")
CHUNK = 5000


def _metrics_table(name: str, instant_type, *, new_columns: bool = True) -> None:
    added = [sa.Column("unit_rating", sa.String(length=16), nullable=True),
             sa.Column("mode", sa.String(length=16), nullable=True),
             sa.Column("routed_at", instant_type(), nullable=True),
             sa.Column("first_at", instant_type(), nullable=True),
             sa.Column("last_at", instant_type(), nullable=True)] if new_columns else []
    op.create_table(
        name,
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reg_no", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=True),
        sa.Column("accused_unit", sa.String(length=64), nullable=True),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("organ", sa.String(length=64), nullable=True),
        sa.Column("in_stats", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=True),
        sa.Column("evaluation_lapsed", sa.Boolean(), nullable=False),
        sa.Column("is_repeat", sa.Boolean(), nullable=False),
        sa.Column("main_case_id", sa.Integer(), nullable=True),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("key_case", sa.Boolean(), nullable=False),
        sa.Column("backlog", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        *added,
        *[sa.Column(column, instant_type(), nullable=True) for column in INSTANTS],
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id"),
    )


def _instant(dialect: str, column: str) -> str:
    if dialect == "postgresql":
        return f"to_timestamp({column} / 1000000.0)"
    return (f"strftime('%Y-%m-%d %H:%M:%S', {column} / 1000000, 'unixepoch') || '.' || "
            f"printf('%06d', {column} % 1000000)")


def _micros(dialect: str, column: str) -> str:
    if dialect == "postgresql":
        return f"CAST(ROUND(EXTRACT(EPOCH FROM {column}) * 1000000) AS BIGINT)"
    # SQLite holds 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); strftime would round the fraction
    return (f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER) * 1000000 "
            f"+ CAST(substr({column}, 21, 6) AS INTEGER)")


def _span(dialect: str) -> tuple[str, str]:
    """first_at and last_at: the earliest and latest instant KPI cohorts read (never NULL: every
    row has registered_at)."""
    parts = [_micros(dialect, c) for c in ACTIVITY]
    if dialect == "postgresql":
        return f"LEAST({', '.join(parts)})", f"GREATEST({', '.join(parts)})"
    parts = [f"COALESCE({p}, {parts[0]})" for p in parts]      # SQLite's min/max give NULL on any NULL
    return f"min({', '.join(parts)})", f"max({', '.join(parts)})"


def upgrade() -> None:
    conn = op.get_bind()
    _metrics_table("case_metrics_new", sa.BigInteger)
    columns = ", ".join(KEPT + INSTANTS + ("first_at", "last_at"))
    converted = ", ".join(KEPT + tuple(_micros(conn.dialect.name, c) for c in INSTANTS) + _span(conn.dialect.name))
    op.execute(f"INSERT INTO case_metrics_new ({columns}) SELECT {converted} FROM case_metrics")
    for name in INDEXES:
        op.drop_index(name, table_name="case_metrics")
    op.drop_table("case_metrics")
    op.rename_table("case_metrics_new", "case_metrics")
    for name, column in INDEXES.items():
        op.create_index(name, "case_metrics", [column])
    op.create_table(
        "unit_metrics",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("in_stats", sa.Boolean(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("routed_at", sa.BigInteger(), nullable=True),
        sa.Column("due", sa.BigInteger(), nullable=True),
        sa.Column("done_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "unit"),
    )
    for name, index_columns in UNIT_INDEXES.items():
        op.create_index(name, "unit_metrics", index_columns)
    _backfill(conn)


def _backfill(conn) -> None:
    import engine.store.models
    when = engine.store.models.UTCDateTime()
    micros = _Micros()
    metrics = sa.table("case_metrics", *[sa.column(n) for n in (
        "case_id", "unit", "in_stats", "persons", "handle_due", "done_at", "rating", "unit_rating", "mode",
        "routed_at")])
    units = sa.table("unit_metrics", *[sa.column(n) for n in (
        "case_id", "unit", "lead", "mode", "in_stats", "persons", "routed_at", "due", "done_at")])
    events = sa.table("case_event", sa.column("case_id", sa.Integer), sa.column("at", when),
                      sa.column("bpmn_id", sa.String))
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("facts", sa.JSON))
    tasks = sa.table("human_task", sa.column("case_id", sa.Integer), sa.column("unit", sa.String),
                     sa.column("state", sa.String), sa.column("completed_at", when))
    routed = {c: micros.process_bind_param(at, None) for c, at in conn.execute(
        sa.select(events.c.case_id, sa.func.max(events.c.at)).where(events.c.bpmn_id == "m__routed")
        .group_by(events.c.case_id))}
    done = {(c, u): micros.process_bind_param(at, None) for c, u, at in conn.execute(
        sa.select(tasks.c.case_id, tasks.c.unit, tasks.c.completed_at)
        .where(tasks.c.state == "completed", tasks.c.unit.is_not(None)))}
    rows = conn.execute(sa.select(metrics.c.case_id, metrics.c.unit, metrics.c.in_stats, metrics.c.persons,
                                  metrics.c.handle_due, metrics.c.done_at, cases.c.facts)
                        .join(cases, cases.c.id == metrics.c.case_id).where(metrics.c.unit.is_not(None))).all()
    conn.execute(metrics.update().values(unit_rating=metrics.c.rating))
    _redate_unit_acceptance(conn, micros)
    change = metrics.update().where(metrics.c.case_id == sa.bindparam("cid")) \
        .values(unit=sa.bindparam("lead"), mode=sa.bindparam("m"), routed_at=sa.bindparam("at"))
    for start in range(0, len(rows), CHUNK):
        updates, inserts = [], []
        for case_id, unit_list, in_stats, persons, due, done_at, facts in rows[start:start + CHUNK]:
            named = list(dict.fromkeys(u.strip()[:64] for u in unit_list.split(",") if u.strip()))
            mode = facts.get("route") if isinstance(facts, dict) else None
            mode = mode if mode in MODES else None
            updates.append({"cid": case_id, "lead": named[0] if named else None, "m": mode,
                            "at": routed.get(case_id)})
            common = {"case_id": case_id, "mode": mode, "in_stats": in_stats, "persons": persons,
                      "routed_at": routed.get(case_id), "due": due}
            inserts += [{**common, "unit": unit, "lead": i == 0,
                         "done_at": done_at if i == 0 else done.get((case_id, unit))} for i, unit in enumerate(named)]
        conn.execute(change, updates)
        if inserts:
            conn.execute(units.insert(), inserts)


def _redate_unit_acceptance(conn, micros) -> None:
    """Registration + 30 d now follows the day arithmetic of docs/domain.md §2.1 (ends 24:00 local, moved
    off rest days); closed cases take no more steps, so their rows are redated here (and last_at
    with them: the new due time may be the row's latest instant)."""
    metrics = sa.table("case_metrics", sa.column("case_id"), sa.column("registered_at"),
                       sa.column("unit_accept_due"), sa.column("last_at"))
    change = metrics.update().where(metrics.c.case_id == sa.bindparam("cid")).values(
        unit_accept_due=sa.bindparam("due"), last_at=sa.bindparam("last"))
    rows = conn.execute(sa.select(metrics.c.case_id, metrics.c.registered_at, metrics.c.last_at)
                        .where(metrics.c.registered_at.is_not(None))).all()
    for start in range(0, len(rows), CHUNK):
        params = []
        for case_id, registered, last in rows[start:start + CHUNK]:
            due = micros.process_bind_param(_days_after(micros.process_result_value(registered, None), 30), None)
            params.append({"cid": case_id, "due": due, "last": max(due, last or due)})
        conn.execute(change, params)


def downgrade() -> None:
    import engine.store.models
    for name in UNIT_INDEXES:
        op.drop_index(name, table_name="unit_metrics")
    op.drop_table("unit_metrics")
    _metrics_table("case_metrics_old", engine.store.models.UTCDateTime, new_columns=False)
    dialect = op.get_bind().dialect.name
    columns = ", ".join(KEPT + INSTANTS)
    converted = ", ".join(KEPT + tuple(_instant(dialect, c) for c in INSTANTS))
    op.execute(f"INSERT INTO case_metrics_old ({columns}) SELECT {converted} FROM case_metrics")
    for name in INDEXES:
        op.drop_index(name, table_name="case_metrics")
    op.drop_table("case_metrics")
    op.rename_table("case_metrics_old", "case_metrics")
    for name, column in INDEXES.items():
        op.create_index(name, "case_metrics", [column])


# This revision's own copies of the conversions it ran with: a migration must keep doing what it
# did when it was written, whatever the application's code becomes.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_BEIJING = ZoneInfo("Asia/Shanghai")


class _Micros:
    """Aware datetimes <-> whole microseconds since 1970 UTC (the columns this revision creates)."""

    def process_bind_param(self, value, dialect):
        return None if value is None else (value - _EPOCH) // timedelta(microseconds=1)

    def process_result_value(self, value, dialect):
        return None if value is None else _EPOCH + int(value) * timedelta(microseconds=1)


def _days_after(instant: datetime, days: int) -> datetime:
    """The statutory day arithmetic: day one is the day after, the last day moves off rest days and
    holidays (years the calendar package does not know count weekends only), ends 24:00 Beijing."""
    day = instant.astimezone(_BEIJING).date() + timedelta(days=days)
    while not _working(day):
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), _BEIJING).astimezone(timezone.utc)


def _working(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5
