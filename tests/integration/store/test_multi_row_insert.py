"""A step's few audit events, and a batch's many, go as one INSERT statement (on PostgreSQL one
multi-row INSERT); rows of different columns one by one, none of their values lost."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import event, select

from engine.projection import _INSERT_EVENTS, execute_rows
from engine.store.models import CaseEvent


def test_a_few_rows_are_one_statement_and_read_back_whole(services):
    from tests.support.bpmn_builder import linear, user_task
    services.processes.deploy({"one.bpmn": linear("one", ("t", user_task("t", "clerk")))})
    case_id = services.cases.start_case("one", {"subject": "事项"})["id"]
    at = datetime(2026, 12, 4, 8, tzinfo=timezone.utc)
    rows = [{"case_id": case_id, "at": at, "actor": "clerk", "kind": kind, "task_uuid": None, "bpmn_id": None,
             "message": f"第{i}条", "data": {"n": i, "名": "值"}} for i, kind in enumerate(("a", "b", "c"))]
    many = [{"case_id": case_id, "at": at, "actor": "x", "kind": f"k{i}"} for i in range(25)]
    uneven = [{"case_id": case_id, "at": at, "actor": "x", "kind": "d"},
              {"case_id": case_id, "at": at, "actor": "x", "kind": "e", "message": "only here"}]
    sent: list[str] = []
    multi: list[bool] = []          # PostgreSQL: one execute of a multi-row INSERT, not a pipeline
    on_pg = services.engine.dialect.name == "postgresql"
    listener = lambda conn, cursor, statement, params, context, many: (  # noqa: E731
        sent.append(statement), multi.append("__1)s" in statement if on_pg else True))   # the second row's values
    event.listen(services.engine, "before_cursor_execute", listener)
    try:
        with services.engine.begin() as conn:
            execute_rows(conn, _INSERT_EVENTS, rows)
            assert len([s for s in sent if s.startswith("INSERT")]) == 1, "three rows, one statement"
            execute_rows(conn, _INSERT_EVENTS, many)
            assert len([s for s in sent if s.startswith("INSERT")]) == 2, "twenty-five rows, one statement"
            assert all(multi), "several rows in one statement's VALUES"
            execute_rows(conn, _INSERT_EVENTS, uneven)
    finally:
        event.remove(services.engine, "before_cursor_execute", listener)
    with services.engine.connect() as conn:
        found = conn.execute(select(CaseEvent.kind, CaseEvent.message, CaseEvent.data)
                             .where(CaseEvent.actor.in_(("clerk", "x"))).order_by(CaseEvent.id)).all()
    assert [(k, m, d) for k, m, d in found] == [("a", "第0条", {"n": 0, "名": "值"}), ("b", "第1条", {"n": 1, "名": "值"}),
                                                ("c", "第2条", {"n": 2, "名": "值"})] + \
        [(f"k{i}", "", None) for i in range(25)] + [("d", "", None), ("e", "only here", None)]
