"""SpiffWorkflow loses track of deep loops; the engine must notice instead of calling them complete."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.errors import CaseFailed
from engine.store.models import Case, CaseEvent
from tests.support import bpmn_builder as b


def send_back_loop(limit: int) -> str:
    """count -> review (user) -> gateway: back to count while counter < limit."""
    return b.process("sendback", (
        '<bpmn:startEvent id="start"/>' + b.service_task("count", "test_count", {"counter": "counter"}) +
        b.user_task("review", "reviewers") + '<bpmn:exclusiveGateway id="gw" default="f_done"/>'
        '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "count") + b.flow("f2", "count", "review") +
        b.flow("f3", "review", "gw") + b.flow("f_back", "gw", "count", f"counter &lt; {limit}") +
        b.flow("f_done", "gw", "end")))


def auto_loop(limit: int) -> str:
    return b.process("autoloop", (
        '<bpmn:startEvent id="start"/>' + b.service_task("count", "test_count", {"counter": "counter"}) +
        '<bpmn:exclusiveGateway id="gw" default="f_done"/>' + b.user_task("after", "reviewers") +
        '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "count") + b.flow("f2", "count", "gw") +
        b.flow("f_back", "gw", "count", f"counter &lt; {limit}") + b.flow("f_done", "gw", "after") +
        b.flow("f3", "after", "end")))


@pytest.fixture
def reviewer(sqlite_services):
    sqlite_services.users.add_user("rev", groups=["reviewers"])
    sqlite_services.users.add_user("boss", groups=["director"])
    return sqlite_services


def test_a_send_back_loop_run_200_times_still_works(reviewer):
    reviewer.processes.deploy({"l.bpmn": send_back_loop(200)})
    case = reviewer.cases.start_case("sendback", {"counter": 0})
    for _ in range(200):
        task = reviewer.tasks.list_tasks(case_id=case["id"])["items"][0]
        result = reviewer.tasks.complete_task(task["id"], user="rev")
    assert result["status"] == "complete"
    assert reviewer.cases.get_case(case["id"])["data"]["counter"] == 200


def test_a_runaway_loop_is_stopped_with_a_clear_error(reviewer):
    reviewer.processes.deploy({"l.bpmn": auto_loop(5000)})
    with pytest.raises(CaseFailed, match="loop has run too many times|still open"):
        reviewer.cases.start_case("autoloop", {"counter": 0})
    case = reviewer.cases.list_cases(status="error")["items"][0]
    assert case["status"] == "error" and case["completed_at"] is None


def test_library_false_completion_is_caught_even_without_the_depth_limit(reviewer):
    reviewer.core.runner.max_depth = 100_000
    reviewer.processes.deploy({"l.bpmn": auto_loop(5000)})
    with pytest.raises(CaseFailed, match="still open|too deep"):
        reviewer.cases.start_case("autoloop", {"counter": 0})
    assert reviewer.cases.list_cases(status="complete")["total"] == 0


def test_a_bounded_automatic_loop_completes(reviewer):
    reviewer.processes.deploy({"l.bpmn": auto_loop(150)})
    case = reviewer.cases.start_case("autoloop", {"counter": 0})
    assert case["status"] == "running"
    assert reviewer.cases.get_case(case["id"])["data"]["counter"] == 150


def rework_loop(limit: int) -> str:
    """办理 -> 审核办结报告 -> sent back while counter < limit, with a deadline on 办理 like the shipped one."""
    return b.process("rework", (
        '<bpmn:startEvent id="start"/>' + b.service_task("count", "test_count", {"counter": "counter"}) +
        b.user_task("handle", "unit_staff", name="承办单位办理") +
        b.boundary_timer("handle_late", "handle", '"P30D"') +
        b.user_task("review_report", "director", name="审核办结报告") +
        '<bpmn:exclusiveGateway id="gw" default="f_done"/><bpmn:endEvent id="end"/>'
        '<bpmn:endEvent id="end_late"/>' + b.flow("f1", "start", "count") + b.flow("f2", "count", "handle") +
        b.flow("f3", "handle", "review_report") + b.flow("f4", "review_report", "gw") +
        b.flow("f_back", "gw", "count", f"counter &lt; {limit}") + b.flow("f_done", "gw", "end") +
        b.flow("f_late", "handle_late", "end_late")))


def calling(called: str) -> str:
    return b.linear("outer", ("call", f'<bpmn:callActivity id="call" name="办理" calledElement="{called}"/>'),
                    ("close", b.user_task("close", "director", name="结案")))


def test_a_case_sent_back_300_times_inside_a_call_activity_completes(reviewer):
    svc = reviewer
    svc.users.add_user("unit", groups=["unit_staff"])
    svc.processes.deploy({"rework.bpmn": rework_loop(300)})
    svc.processes.deploy({"outer.bpmn": calling("rework")})
    case = svc.cases.start_case("outer", {"counter": 0})
    depths = []
    for _ in range(300):
        for bpmn_id, user in (("handle", "unit"), ("review_report", "boss")):
            task = svc.tasks.list_tasks(case_id=case["id"])["items"][0]
            assert task["bpmn_id"] == bpmn_id
            svc.tasks.complete_task(task["id"], user=user)
        with svc.core.uow(write=False) as uow:
            depths.append(uow.session.get(Case, case["id"]).tree_depth)
    task = svc.tasks.list_tasks(case_id=case["id"])["items"][0]
    assert task["bpmn_id"] == "close" and svc.tasks.complete_task(task["id"], user="boss")["status"] == "complete"
    detail = svc.cases.get_case(case["id"])
    assert detail["data"]["counter"] == 300
    assert max(depths) <= 60, "the live tree is pruned instead of growing with every round"
    assert detail["state_bytes"] < 20_000, detail["state_bytes"]
    with svc.core.uow(write=False) as uow:
        rounds = uow.session.scalar(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == case["id"], CaseEvent.kind == "task_completed", CaseEvent.bpmn_id == "review_report"))
    assert rounds == 300, "the audit trail keeps every round"
