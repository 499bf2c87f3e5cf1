"""Timers are bounded at deploy and at run time, and a step has a time budget: one case can
never loop inside SpiffWorkflow or hold the database (issue 21, item 2)."""
from __future__ import annotations

import itertools
import time

import pytest

from engine.errors import CaseFailed, InvalidDiagram
from tests.support import bpmn_builder as b


def with_timer(expression: str, kind: str = "timeDuration") -> str:
    xml = b.linear("p1", ("t1", b.user_task("t1") + b.boundary_timer("tm", "t1", expression, kind=kind)))
    return xml.replace("</bpmn:process>", b.flow("fx", "tm", "end") + "</bpmn:process>")


@pytest.mark.parametrize("expression, kind, fragment", [
    ('"P99999999999Y"', "timeDuration", "longer than 10 years"),
    ('"P1000000Y"', "timeDuration", "longer than 10 years"),
    ('"PT99999999999999H"', "timeDuration", "longer than 10 years"),
    ('"P11Y"', "timeDuration", "longer than 10 years"),
    ('"P1Y2Q"', "timeDuration", "not valid ISO 8601"),
    ('"1999-12-31T00:00:00+08:00"', "timeDate", "before 2000"),
    ('"2999-01-01T00:00:00+08:00"', "timeDate", "10 years ahead"),
    ('"R3/P99999999999Y"', "timeCycle", "longer than 10 years"),
    ('"R2/1990-01-01T00:00:00+00:00/P1D"', "timeCycle", "before 2000"),
])
def test_timers_beyond_the_bounds_are_deploy_errors_with_their_line(sqlite_services, expression, kind, fragment):
    started = time.monotonic()
    with pytest.raises(InvalidDiagram) as err:
        sqlite_services.processes.deploy({"p1.bpmn": with_timer(expression, kind)})
    assert time.monotonic() - started < 5, "checking a timer must not compute it"
    found = [p for p in err.value.details if fragment in p["message"]]
    assert found and found[0]["element"] == "tm" and found[0]["line"], err.value.details
    assert sqlite_services.processes.list_processes() == []


def test_timers_within_the_bounds_still_deploy(sqlite_services):
    assert sqlite_services.processes.deploy({"p1.bpmn": with_timer('"P10Y"')})[0]["new"]
    assert sqlite_services.processes.deploy({"p2.bpmn": with_timer('"R3/PT1H"', "timeCycle").replace(
        '"p1"', '"p2"')})[0]["new"]


def test_a_timer_that_cannot_be_evaluated_puts_only_its_case_in_error(sqlite_services):
    """deadline("x") reads the case's data at run time: a planted year 9999 stops that case in
    error (recorded), quickly, and other cases go on."""
    svc = sqlite_services
    svc.processes.deploy({"p1.bpmn": with_timer('deadline("x")', "timeDate")})
    good = svc.cases.start_case("p1", {"deadlines": {"x": "2030-01-01T00:00:00+08:00"}})
    started = time.monotonic()
    with pytest.raises(CaseFailed, match="more than 10 years|not valid ISO 8601"):
        svc.cases.start_case("p1", {"deadlines": {"x": "9999-12-31T23:59:59+08:00"}})
    assert time.monotonic() - started < 5
    bad = svc.cases.list_cases(status="error")["items"]
    assert len(bad) == 1 and bad[0]["id"] != good["id"]
    events = svc.cases.get_case(bad[0]["id"])["events"]
    assert any(e["kind"] == "error" and "10 years" in (e["message"] or "") for e in events)
    assert svc.cases.get_case(good["id"])["status"] == "running"


def auto_loop(limit: int) -> str:
    return b.process("autoloop", (
        '<bpmn:startEvent id="start"/>' + b.service_task("count", "test_count", {"counter": "counter"}) +
        '<bpmn:exclusiveGateway id="gw" default="f_done"/>' + b.user_task("after", "reviewers") +
        '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "count") + b.flow("f2", "count", "gw") +
        b.flow("f_back", "gw", "count", f"counter &lt; {limit}") + b.flow("f_done", "gw", "after") +
        b.flow("f3", "after", "end")))


def test_a_step_over_its_budget_is_stopped_rolled_back_and_recorded(sqlite_services):
    """The clock the budget reads moves 1 s per look, so 40 engine tasks 'take' 40 s > 30 s."""
    svc = sqlite_services
    assert svc.core.settings.step_seconds == 30
    svc.processes.deploy({"l.bpmn": auto_loop(100)})
    ticks = itertools.count()
    svc.core.runner.clock = lambda: float(next(ticks))
    with pytest.raises(CaseFailed, match="budget of 30 s"):
        svc.cases.start_case("autoloop", {"counter": 0})
    case = svc.cases.list_cases(status="error")["items"][0]
    full = svc.cases.get_case(case["id"])
    assert full["status"] == "error" and "XINFANG_STEP_SECONDS" in full["error"]
    assert any(e["kind"] == "error" and "budget" in e["message"] for e in full["events"])
    assert not any(e["kind"] == "task_created" for e in full["events"]), "nothing of the step may be saved"


def test_a_step_within_its_budget_runs_as_before(sqlite_services):
    svc = sqlite_services
    svc.processes.deploy({"l.bpmn": auto_loop(5)})
    svc.core.runner.clock = itertools.count().__next__      # 1 s per look: a dozen tasks fit in 30 s
    assert svc.cases.start_case("autoloop", {"counter": 0})["status"] == "running"


def test_the_budget_is_a_setting():
    from engine.errors import ValidationFailed
    from engine.settings import Settings
    assert Settings.from_env({"XINFANG_STEP_SECONDS": "5"}).step_seconds == 5.0
    assert Settings.from_env({}).step_seconds == 30.0
    with pytest.raises(ValidationFailed, match="XINFANG_STEP_SECONDS"):
        Settings.from_env({"XINFANG_STEP_SECONDS": "0"})
