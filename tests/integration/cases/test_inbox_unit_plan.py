"""Unit staff's inbox page must not scan every case for hidden reports (the list of cases involving the user is read only when a report outside the unit is met) (issue 22: 31 ms -> 184 ms at
300,000 cases once the hidden-report list was added), and the index the page walks checks the unit."""
from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from office.inbox.pages import inbox_query


def _plan(services, user: str) -> str:
    with Session(services.engine) as session:
        actor = services.inbox.core.actor(session, user)
        page, _ = inbox_query(actor, {"category": "检举控告类", "view": "inbox"}, datetime.now(timezone.utc))
        sql = str(page.limit(50).compile(services.engine, compile_kwargs={"literal_binds": True}))
        return " | ".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_unit_staff_page_reads_cases_by_key_only(sqlite_services):
    svc = sqlite_services
    svc.users.add_unit("unit7", "第七承办单位", "government")
    svc.users.add_user("u7", groups=["unit_staff"], unit="unit7")
    plan = _plan(svc, "u7")
    assert "SCAN cases" not in plan, plan
    assert "ix_human_task_unit_category" in plan and "ix_human_task_multi_unit" in plan, plan



def test_the_count_of_unassigned_multi_group_tasks_reads_only_those(sqlite_services):
    """A clerk's inbox as it opens counts its parts; the part of tasks offered to several groups
    must come from their own index, not walk every unassigned open task (370 ms at 200,000)."""
    svc = sqlite_services
    svc.users.add_user("c1", groups=["clerk"])
    with Session(svc.engine) as session:
        actor = svc.inbox.core.actor(session, "c1")
        _, counts = inbox_query(actor, {"view": "inbox"}, datetime.now(timezone.utc))
        multi = counts()[-1]
        sql = str(multi.compile(svc.engine, compile_kwargs={"literal_binds": True}))
        plan = " | ".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_human_task_assignee" not in plan, plan     # every unassigned open task, walked
