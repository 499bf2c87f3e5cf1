"""KPIs that follow the rules: 办结 is the served reply, 化解 is a record, 纳入统计 a decision

Revision ID: 0015_kpi_rules
Revises: 0014_task_kind

Adds the 化解 record (`case_resolution`), the director's 纳入统计 decisions (`stats_decision`),
and on `case_metrics` the 化解 now (`resolution`, `resolved_at`) and the 一次性化解 window's end
(`window_end`). Then recomputes every stored KPI row from the audit trail, as the rules now read:

- 办结 (`done_at`) is the latest `…__replied` milestone (the reply served, or the answer given on
  the spot); a case whose closing report was approved (`…__reported`) but not yet answered is not
  办结. Cases without milestone events (other processes) keep what they had.
- `window_end` is 办结 + 90 days (the shipped tables' first_time_resolution rule), moved off rest
  days, ending 24:00 Beijing; the co-handling rows' lead part follows 办结.
- 化解 was never recorded: no case is resolved until a step or the director records it.
- 纳入统计: a case that triage sent down the 涉法涉诉 route is not counted (the rule triage now
  applies); the decision is recorded as the system's, so later steps of the old case keep it.
- first_at / last_at are recomputed (cohorts now read 办结, not the archive).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from alembic import op

revision = "0015_kpi_rules"
down_revision = "0014_task_kind"
branch_labels = None
depends_on = None

ACTIVITY = ("registered_at", "route_due", "unit_accept_due", "handle_due", "done_at", "evaluation_due",
            "evaluated_at")
WINDOW_DAYS = 90
LITIGATION = "涉法涉诉"
RULE_REASON = "升级时按分流规则补记：涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计"
CHUNK = 5000


def upgrade() -> None:
    with op.batch_alter_table("case_metrics") as batch_op:
        batch_op.add_column(sa.Column("window_end", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("resolved_at", sa.BigInteger(), nullable=True))
    op.create_index("ix_case_metrics_done", "case_metrics", ["done_at"])
    op.create_table(
        "case_resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("bpmn_id", sa.String(length=128), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_resolution_case", "case_resolution", ["case_id", "decided_at", "id"])
    op.create_table(
        "stats_decision",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id"),
    )
    conn = op.get_bind()
    _not_counted_by_rule(conn)
    _recompute(conn)


def downgrade() -> None:
    op.drop_table("stats_decision")
    op.drop_index("ix_case_resolution_case", table_name="case_resolution")
    op.drop_table("case_resolution")
    op.drop_index("ix_case_metrics_done", table_name="case_metrics")
    with op.batch_alter_table("case_metrics") as batch_op:
        batch_op.drop_column("resolved_at")
        batch_op.drop_column("resolution")
        batch_op.drop_column("window_end")


_EVENTS = sa.table("case_event", sa.column("case_id", sa.Integer), sa.column("at"), sa.column("kind", sa.String),
                   sa.column("bpmn_id", sa.String), sa.column("data", sa.JSON))
_METRICS = sa.table("case_metrics", *[sa.column(c) for c in (
    "case_id", "in_stats", "done_at", "window_end", "resolution", "resolved", "resolved_at", "first_at", "last_at",
    *[c for c in ACTIVITY if c != "done_at"])])
_UNITS = sa.table("unit_metrics", sa.column("case_id"), sa.column("lead"), sa.column("done_at"),
                  sa.column("in_stats"))


def _not_counted_by_rule(conn) -> None:
    """Cases triage sent down the 涉法涉诉 route: a recorded decision, and out of the figures."""
    when = _Instant()
    rows = conn.execute(sa.select(_EVENTS.c.case_id, _EVENTS.c.data, _EVENTS.c.at)
                        .where(_EVENTS.c.kind == "task_completed", _EVENTS.c.bpmn_id == "triage")
                        .order_by(_EVENTS.c.case_id, _EVENTS.c.at)).all()
    routed = {}
    for case_id, data, at in rows:            # the last triage decision of each case stands
        routed[case_id] = ((data or {}).get("route") if isinstance(data, dict) else None, when.read(at))
    litigation = [(case_id, at) for case_id, (route, at) in routed.items() if route == LITIGATION]
    decisions = sa.table("stats_decision", sa.column("case_id"), sa.column("counted"), sa.column("reason"),
                         sa.column("decided_by"), sa.column("decided_at", sa.DateTime(timezone=True)))
    for start in range(0, len(litigation), CHUNK):
        chunk = litigation[start:start + CHUNK]
        conn.execute(decisions.insert(), [{"case_id": c, "counted": False, "reason": RULE_REASON,
                                           "decided_by": "system", "decided_at": at} for c, at in chunk])
        ids = [c for c, _ in chunk]
        conn.execute(_METRICS.update().where(_METRICS.c.case_id.in_(ids)).values(in_stats=False))
        conn.execute(_UNITS.update().where(_UNITS.c.case_id.in_(ids)).values(in_stats=False))


def _milestones(conn) -> tuple[dict, set]:
    """{case: latest 办结} from the `…__replied` milestone events, and the cases with a `…__reported` one."""
    when = _Instant()
    rows = conn.execute(sa.select(_EVENTS.c.case_id, _EVENTS.c.bpmn_id, _EVENTS.c.at)
                        .where(_EVENTS.c.kind == "engine_step",
                               sa.or_(_EVENTS.c.bpmn_id.like("%replied"), _EVENTS.c.bpmn_id.like("%reported")))).all()
    replied, reported = {}, set()
    for case_id, bpmn_id, at in rows:
        name = bpmn_id.split("__", 1)[-1]
        if name == "replied":
            at = _micros(when.read(at))
            replied[case_id] = max(at, replied.get(case_id, at))
        elif name == "reported":
            reported.add(case_id)
    return replied, reported


def _recompute(conn) -> None:
    """Case by case in pages of CHUNK (a million rows never sit in memory at once)."""
    replied, reported = _milestones(conn)
    columns = [_METRICS.c[c] for c in ("case_id", *ACTIVITY)]
    change = _METRICS.update().where(_METRICS.c.case_id == sa.bindparam("cid")).values(
        done_at=sa.bindparam("done"), window_end=sa.bindparam("window"), resolution=None, resolved=False,
        resolved_at=None, first_at=sa.bindparam("first"), last_at=sa.bindparam("last"))
    lead = _UNITS.update().where(_UNITS.c.case_id == sa.bindparam("cid"), _UNITS.c.lead == sa.true()) \
        .values(done_at=sa.bindparam("done"))
    last = None
    while True:
        page = sa.select(*columns).order_by(_METRICS.c.case_id).limit(CHUNK)
        rows = conn.execute(page if last is None else page.where(_METRICS.c.case_id > last)).all()
        if not rows:
            break
        params = [_recomputed(dict(row._mapping), replied, reported) for row in rows]
        conn.execute(change, params)
        conn.execute(lead, [{"cid": p["cid"], "done": p["done"]} for p in params])
        last = rows[-1].case_id
    conn.execute(sa.text("UPDATE cases SET metrics_digest = NULL"))


def _recomputed(values: dict, replied: dict, reported: set) -> dict:
    """One row's 办结 (kept when the case has no milestone events: another process wrote it), its
    window, and the span of instants its cohorts read."""
    case_id = values["case_id"]
    done = replied.get(case_id) if case_id in replied or case_id in reported else values["done_at"]
    values["done_at"] = done
    instants = [values[c] for c in ACTIVITY if values[c] is not None]
    return {"cid": case_id, "done": done,
            "window": _micros(_days_after(_instant(done), WINDOW_DAYS)) if done is not None else None,
            "first": min(instants) if instants else None, "last": max(instants) if instants else None}


# This revision's own copies of the conversions and day arithmetic it ran with: a migration must keep
# doing what it did when it was written, whatever the application's code becomes.
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_BEIJING = ZoneInfo("Asia/Shanghai")


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


def _instant(value: int) -> datetime:
    return _EPOCH + int(value) * timedelta(microseconds=1)


class _Instant:
    """case_event.at as an aware UTC datetime (SQLite hands back text or naive values)."""

    def read(self, value) -> datetime:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _days_after(instant: datetime, days: int) -> datetime:
    """Day one is the day after; the last day moves off rest days and holidays (a year the calendar
    package does not know counts weekends only); the period ends 24:00 Beijing."""
    day = instant.astimezone(_BEIJING).date() + timedelta(days=days)
    while not _working(day):
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), _BEIJING).astimezone(timezone.utc)


def _working(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5
