"""Running cases through the service API, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import CaseFailed, Conflict, NotAllowed, NotFound, ValidationFailed
from tests.support import bpmn_builder as b
from tests.support import handlers_for_tests
from tests.support.paths import SIMPLE


@pytest.fixture
def office(services):
    services.processes.deploy({"simple.bpmn": SIMPLE.read_text()})
    services.users.add_user("clerk1", groups=["intake_staff"])
    services.users.add_user("clerk2", groups=["intake_staff"])
    services.users.add_user("rev1", groups=["reviewers"])
    services.users.add_user("boss", groups=["director"])
    return services


def only_task(services, case_id) -> dict:
    items = services.tasks.list_tasks(case_id=case_id)["items"]
    assert len(items) == 1, items
    return items[0]


def test_a_complaint_runs_from_registration_to_reply(office):
    case = office.cases.start_case("complaint_simple", {"subject": "噪音扰民"}, user="clerk1")
    register = only_task(office, case["id"])
    assert (register["bpmn_id"], register["groups"], register["lane"]) == ("register", ["intake_staff"], "intake")
    assert register["due_at"] is not None, "dueIn P2D becomes the task's due date"
    office.tasks.complete_task(register["id"], user="clerk1", data={"petitioner": "张三"})
    review = only_task(office, case["id"])
    assert review["groups"] == ["reviewers"]
    office.tasks.complete_task(review["id"], user="rev1", data={"decision": "accept"})
    respond = only_task(office, case["id"])
    done = office.tasks.complete_task(respond["id"], user="rev1", data={"reply": "已答复"})
    assert done["status"] == "complete"
    detail = office.cases.get_case(case["id"])
    assert detail["data"]["reply"] == "已答复" and detail["subject"] == "噪音扰民"
    assert [t["completed_by"] for t in detail["tasks"]] == ["clerk1", "rev1", "rev1"]
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds[0] == "case_started" and kinds[-1] == "case_completed"
    assert kinds.count("task_completed") == 3
    assert detail["events"][kinds.index("task_completed")]["data"] == {"petitioner": "张三"}


def test_rejected_complaint_ends_without_reply(office):
    case = office.cases.start_case("complaint_simple")
    office.tasks.complete_task(only_task(office, case["id"])["id"], user="clerk1")
    assert office.tasks.complete_task(only_task(office, case["id"])["id"], user="rev1",
                                data={"decision": "reject"})["status"] == "complete"


def test_completed_case_is_stored_compactly(office):
    case = office.cases.start_case("complaint_simple")
    for user, data in (("clerk1", {}), ("rev1", {"decision": "accept"}), ("rev1", {})):
        office.tasks.complete_task(only_task(office, case["id"])["id"], user=user, data=data)
    assert office.cases.get_case(case["id"])["state_bytes"] < 6 * 1024


def test_only_group_members_or_the_assignee_may_complete(office):
    case = office.cases.start_case("complaint_simple")
    task = only_task(office, case["id"])
    with pytest.raises(NotAllowed):
        office.tasks.complete_task(task["id"], user="rev1")
    office.inbox.claim_task(task["id"], user="clerk1")
    with pytest.raises(Conflict):
        office.inbox.claim_task(task["id"], user="clerk2")
    with pytest.raises(NotAllowed, match="assigned to clerk1"):
        office.tasks.complete_task(task["id"], user="clerk2")
    office.tasks.complete_task(task["id"], user="clerk1")


def test_bad_completions_change_nothing(office):
    case = office.cases.start_case("complaint_simple")
    task = only_task(office, case["id"])
    with pytest.raises(ValidationFailed, match="JSON object"):
        office.tasks.complete_task(task["id"], user="clerk1", data=["not", "an", "object"])
    with pytest.raises(NotFound):
        office.tasks.complete_task(task["id"], user="ghost")
    with pytest.raises(NotFound):
        office.tasks.complete_task("00000000-0000-0000-0000-000000000000", user="clerk1")
    assert only_task(office, case["id"])["id"] == task["id"]
    office.tasks.complete_task(task["id"], user="clerk1")
    with pytest.raises(Conflict, match="already completed"):
        office.tasks.complete_task(task["id"], user="clerk1")


def test_claim_unclaim_and_assign_do_not_touch_the_case(office):
    case = office.cases.start_case("complaint_simple")
    task = only_task(office, case["id"])
    assert office.inbox.claim_task(task["id"], user="clerk1")["assignee"] == "clerk1"
    assert office.tasks.list_tasks(user="clerk2")["total"] == 0, "a claimed task leaves the others' inbox"
    office.inbox.unclaim_task(task["id"], user="clerk1")
    assert office.tasks.list_tasks(user="clerk2")["total"] == 1
    with pytest.raises(NotAllowed):
        office.inbox.assign_task(task["id"], "clerk2", user="clerk1")
    assert office.inbox.assign_task(task["id"], "clerk2", user="boss")["assignee"] == "clerk2"
    with pytest.raises(ValidationFailed, match="not in the task's group"):
        office.inbox.assign_task(task["id"], "rev1", user="boss")
    assert office.cases.get_case(case["id"])["status"] == "running"
    assert [e["kind"] for e in office.cases.get_case(case["id"])["events"]].count("task_assigned") == 3


def test_two_simultaneous_completions_one_wins_the_other_conflicts(office):
    case = office.cases.start_case("complaint_simple")
    task = only_task(office, case["id"])
    results, barrier = [], threading.Barrier(2)

    def complete(user):
        barrier.wait()
        try:
            office.tasks.complete_task(task["id"], user=user, data={"by": user})
            results.append("ok")
        except Conflict as err:
            results.append(f"conflict: {err}")

    threads = [threading.Thread(target=complete, args=(u,)) for u in ("clerk1", "clerk2")]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert sorted(r.split(":")[0] for r in results) == ["conflict", "ok"], results
    assert only_task(office, case["id"])["bpmn_id"] == "review"


def test_stale_version_is_a_conflict(pg_services):
    """Optimistic concurrency: a step saved over a newer version of the case is refused.
    (SQLite serialises writers with BEGIN IMMEDIATE, so only PostgreSQL can get here.)"""
    from sqlalchemy import update
    from engine.store.models import Case
    pg_services.processes.deploy({"simple.bpmn": SIMPLE.read_text()})
    pg_services.users.add_user("clerk1", groups=["intake_staff"])
    case = pg_services.cases.start_case("complaint_simple")
    task = only_task(pg_services, case["id"])

    def someone_else_saves_meanwhile(session, saved_case, data, step):
        with pg_services.engine.begin() as other:
            other.execute(update(Case).where(Case.id == case["id"]).values(row_version=Case.row_version + 1))

    pg_services.core.add_step_hook(someone_else_saves_meanwhile)
    with pytest.raises(Conflict, match="changed by someone else"):
        pg_services.tasks.complete_task(task["id"], user="clerk1")
    pg_services.core.runner.hooks.remove(someone_else_saves_meanwhile)
    assert only_task(pg_services, case["id"])["id"] == task["id"]
    assert pg_services.tasks.complete_task(task["id"], user="clerk1")["status"] == "running"


def failing_process() -> str:
    return b.linear("numbering", ("t1", b.user_task("t1", "intake_staff")),
                    ("s1", b.service_task("s1", "test_flaky")), ("t2", b.user_task("t2", "intake_staff")))


def test_failing_handler_puts_case_in_error_and_retry_resumes(office):
    office.processes.deploy({"n.bpmn": failing_process()})
    case = office.cases.start_case("numbering")
    first = only_task(office, case["id"])
    handlers_for_tests.FAIL["on"] = True
    try:
        with pytest.raises(CaseFailed, match="registry office is unreachable"):
            office.tasks.complete_task(first["id"], user="clerk1", data={"note": "x"})
        broken = office.cases.get_case(case["id"])
        assert (broken["status"], broken["error_task"]) == ("error", "s1")
        assert only_task(office, case["id"])["id"] == first["id"], "the step was rolled back"
        with pytest.raises(Conflict):
            office.tasks.complete_task(first["id"], user="clerk1")
        with pytest.raises(CaseFailed):
            office.cases.retry_case(case["id"], user="boss")
    finally:
        handlers_for_tests.FAIL["on"] = False
    with pytest.raises(NotAllowed):
        office.cases.retry_case(case["id"], user="clerk1")
    fixed = office.cases.retry_case(case["id"], user="boss")
    assert fixed["status"] == "running" and fixed["error"] is None
    detail = office.cases.get_case(case["id"])
    assert detail["data"]["numbered"] == f"N-{case['id']}" and detail["data"]["note"] == "x"
    assert only_task(office, case["id"])["bpmn_id"] == "t2"


def test_failing_handler_at_start_leaves_a_retryable_case(office):
    office.processes.deploy({"n.bpmn": b.linear("autonum", ("s1", b.service_task("s1", "test_flaky")),
                                      ("t2", b.user_task("t2", "intake_staff")))})
    handlers_for_tests.FAIL["on"] = True
    try:
        with pytest.raises(CaseFailed) as err:
            office.cases.start_case("autonum")
    finally:
        handlers_for_tests.FAIL["on"] = False
    case_id = err.value.details["case_id"]
    assert office.cases.get_case(case_id)["status"] == "error"
    assert office.cases.retry_case(case_id, user="boss")["status"] == "running"


def test_boundary_timer_escalates_and_is_recorded(office):
    xml = b.process("escalating", (
        '<bpmn:startEvent id="start"/>' + b.user_task("decide", "reviewers") +
        b.boundary_timer("late", "decide", '"P14D"') + b.user_task("escalate", "director") +
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>' +
        b.flow("f1", "start", "decide") + b.flow("f2", "decide", "e1") + b.flow("f3", "late", "escalate") +
        b.flow("f4", "escalate", "e2")))
    office.processes.deploy({"e.bpmn": xml})
    start = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False):
        case = office.cases.start_case("escalating")
    detail = office.cases.get_case(case["id"])
    assert detail["timers"][0]["due_at"] == (start + timedelta(days=14)).isoformat()
    with time_machine.travel(start + timedelta(days=13), tick=False):
        assert office.timers.fire_due_timers() == 0
    with time_machine.travel(start + timedelta(days=15), tick=False):
        assert office.timers.fire_due_timers() == 1
        assert office.timers.fire_due_timers() == 0, "a timer fires once"
    task = only_task(office, case["id"])
    assert (task["bpmn_id"], task["groups"]) == ("escalate", ["director"])
    detail = office.cases.get_case(case["id"])
    assert detail["timers"][0]["status"] == "fired"
    assert [t["state"] for t in detail["tasks"]] == ["cancelled", "open"]


def test_fire_due_with_an_explicit_now_fires_future_timers(office):
    xml = b.process("waiting", ('<bpmn:startEvent id="start"/>' + b.user_task("t1", "reviewers") +
                                b.boundary_timer("tm", "t1", '"P60D"') + '<bpmn:endEvent id="e1"/>'
                                '<bpmn:endEvent id="e2"/>' + b.flow("f1", "start", "t1") +
                                b.flow("f2", "t1", "e1") + b.flow("f3", "tm", "e2")))
    office.processes.deploy({"w.bpmn": xml})
    case = office.cases.start_case("waiting")
    assert office.timers.fire_due_timers(datetime.now(timezone.utc) + timedelta(days=61)) == 1
    assert office.cases.get_case(case["id"])["status"] == "complete"


def test_suspended_case_refuses_work_and_resumes(office):
    case = office.cases.start_case("complaint_simple")
    task = only_task(office, case["id"])
    with pytest.raises(NotAllowed):
        office.cases.suspend_case(case["id"], user="clerk1")
    office.cases.suspend_case(case["id"], user="boss", reason="信访人住院")
    with pytest.raises(Conflict, match="suspended"):
        office.tasks.complete_task(task["id"], user="clerk1")
    office.cases.resume_case(case["id"], user="boss")
    office.tasks.complete_task(task["id"], user="clerk1")
    office.cases.terminate_case(case["id"], user="boss", reason="撤回")
    assert office.tasks.list_tasks(case_id=case["id"])["total"] == 0
    assert office.cases.get_case(case["id"])["status"] == "terminated"


def test_the_kpi_row_is_rewritten_only_when_a_step_changes_it(office):
    """A step that changes nothing the figures read (here: the first task, which only moves the
    case along) skips the case_metrics write; a step that changes them writes the row."""
    from sqlalchemy import event, select
    from office.kpi.tables import CaseMetrics
    writes = []
    event.listen(office.engine, "before_cursor_execute",
                 lambda conn, cur, statement, *a: writes.append(statement) if "case_metrics" in statement
                 and statement.lstrip().upper().startswith("INSERT") else None)
    case = office.cases.start_case("complaint_simple", {"channel": "来信"})
    assert len(writes) == 1, "a new case writes its row"
    office.tasks.complete_task(only_task(office, case["id"])["id"], user="clerk1")
    assert len(writes) == 1, "nothing the figures read changed"
    office.tasks.complete_task(only_task(office, case["id"])["id"], user="rev1",
                         data={"decision": "accept", "channel": "网信"})
    assert len(writes) == 2
    with office.engine.connect() as conn:
        assert conn.execute(select(CaseMetrics.channel).where(CaseMetrics.case_id == case["id"])).scalar() == "网信"
