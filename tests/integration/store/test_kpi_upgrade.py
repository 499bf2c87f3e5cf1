"""Upgrading to 0008_kpi_rollup keeps every KPI instant to the microsecond and gives existing
co-handled cases their unit rows."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import inspect, select, text

from engine.store import db
from office.kpi.tables import CaseMetrics, UnitMetrics
from engine.store.models import UTCDateTime
from engine.settings import Settings

SIGNED = datetime(2026, 3, 4, 2, 30, 15, 123456, tzinfo=timezone.utc)
DUE = datetime(2026, 5, 6, 16, 0, tzinfo=timezone.utc)
ROUTED = datetime(2026, 3, 3, 1, 0, 0, 999999, tzinfo=timezone.utc)
CO_DONE = datetime(2026, 3, 20, 8, 0, 0, 1, tzinfo=timezone.utc)


def _at_every_head_but_0008(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(inspect(conn).get_table_names()):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE' if conn.dialect.name == "postgresql"
                              else f'DROP TABLE IF EXISTS "{table}"'))
    for head in ("0003_scheduler", "0004_documents", "0005_web", "0007_editor", "0009_evaluation",
                 "0013_metrics_digest", "0006_kpi", "0002"):      # every branch below 0008, not 0008
        db.upgrade(engine, head)


def _old_rows(conn) -> None:
    t = UTCDateTime()
    conn.execute(text("INSERT INTO definition (id, process_key, version, name, content_hash, bundle, spec, "
                      "lib_version, deployed_by, deployed_at) VALUES (1, 'p', 1, 'p', 'h', '{}', '{}', "
                      "'3.2.0', 'x', '2026-01-01 00:00:00+00:00')"))
    cases = sa.table("cases", *[sa.column(c) for c in (
        "id", "reg_no", "status", "process_key", "definition_id", "definition_version", "subject", "petitioner",
        "started_by", "state", "state_format", "lib_version", "tree_depth", "row_version")],
        sa.column("created_at", t), sa.column("updated_at", t), sa.column("facts", sa.JSON))
    conn.execute(cases.insert(), [{"id": i, "reg_no": f"LF{i}", "status": "running", "process_key": "p",
                                   "definition_id": 1, "definition_version": 1, "subject": "s", "petitioner": "",
                                   "started_by": "x", "state": b"", "state_format": "1.5", "lib_version": "3.2.0",
                                   "tree_depth": 0, "row_version": 1, "created_at": ROUTED, "updated_at": ROUTED,
                                   "facts": {"route": "交办"} if i == 1 else None} for i in (1, 2)])
    metrics = sa.table("case_metrics", *[sa.column(c) for c in (
        "case_id", "unit", "in_stats", "rating", "evaluation_lapsed", "is_repeat", "persons", "key_case",
        "backlog", "resolved")], sa.column("unit_accepted_at", t), sa.column("handle_due", t),
        sa.column("registered_at", t))
    common = {"in_stats": True, "evaluation_lapsed": False, "is_repeat": False, "persons": 3, "key_case": False,
              "backlog": False, "resolved": False, "registered_at": ROUTED}
    conn.execute(metrics.insert(), [
        {**common, "case_id": 1, "unit": "housing,city_agri", "rating": "满意", "unit_accepted_at": SIGNED,
         "handle_due": DUE},
        {**common, "case_id": 2, "unit": None, "rating": None, "unit_accepted_at": None, "handle_due": None}])
    events = sa.table("case_event", sa.column("case_id"), sa.column("at", t), sa.column("actor"),
                      sa.column("kind"), sa.column("bpmn_id"), sa.column("message"))
    conn.execute(events.insert(), [{"case_id": 1, "at": ROUTED, "actor": "x", "kind": "engine_step",
                                    "bpmn_id": "m__routed", "message": ""}])
    tasks = sa.table("human_task", *[sa.column(c) for c in (
        "case_id", "task_uuid", "bpmn_id", "name", "groups", "priority", "state", "subject", "petitioner",
        "unit")], sa.column("created_at", t), sa.column("completed_at", t))
    conn.execute(tasks.insert(), [{"case_id": 1, "task_uuid": "u1", "bpmn_id": "co_handle", "name": "协办",
                                   "groups": "unit_staff", "priority": 50, "state": "completed", "subject": "s",
                                   "petitioner": "", "unit": "city_agri", "created_at": ROUTED,
                                   "completed_at": CO_DONE}])


def test_upgrade_converts_instants_exactly_and_backfills_unit_rows(database_url):
    engine = db.make_engine(Settings(database_url=database_url))
    _at_every_head_but_0008(engine)
    with engine.begin() as conn:
        _old_rows(conn)
    db.upgrade(engine)
    assert db.migrations_current(engine)
    with engine.connect() as conn:
        first = conn.execute(select(CaseMetrics).where(CaseMetrics.case_id == 1)).one()
        second = conn.execute(select(CaseMetrics).where(CaseMetrics.case_id == 2)).one()
        units = conn.execute(select(UnitMetrics).order_by(UnitMetrics.unit)).all()
    engine.dispose()
    assert (first.unit, first.mode, first.unit_rating) == ("housing", "交办", "满意")
    assert (first.unit_accepted_at, first.handle_due, first.registered_at, first.routed_at) == (
        SIGNED, DUE, ROUTED, ROUTED)
    # registered Tue 3 March (09:00 local) + 30 d = Thu 2 April, ends 24:00 local
    assert first.unit_accept_due == datetime(2026, 4, 2, 16, tzinfo=timezone.utc)
    assert (first.first_at, first.last_at) == (ROUTED, DUE)              # earliest and latest a cohort reads
    assert (second.unit, second.handle_due, second.first_at, second.last_at) == (
        None, None, ROUTED, second.unit_accept_due)
    assert [(u.unit, u.lead, u.mode, u.due, u.done_at, u.routed_at, u.persons) for u in units] == [
        ("city_agri", False, "交办", DUE, CO_DONE, ROUTED, 3), ("housing", True, "交办", DUE, None, ROUTED, 3)]
