"""Due timers of many cases fired in one transaction per batch (engine/timer_batch.py): every
case fires once, and a case that fails or was changed meanwhile never takes the others down."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import event, text

from tests.support import bpmn_builder as b
from tests.support import handlers_for_tests

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


def timed(key: str, handler: str) -> str:
    return b.process(key, (
        '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' + b.service_task("number", handler) +
        b.user_task("check", "unit_staff") + '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "wait") +
        b.flow("f2", "wait", "number") + b.flow("f3", "number", "check") + b.flow("f4", "check", "end")))


def start_cases(services, key: str, n: int, batch: int) -> list[int]:
    services.core.settings = replace(services.settings, timer_batch=batch)
    services.processes.deploy({f"{key}.bpmn": timed(key, "test_flaky" if key == "flaky_wait" else "test_meddle")})
    with time_machine.travel(T0, tick=False):
        return [services.cases.start_case(key)["id"] for _ in range(n)]


def sweep(services):
    commits = []
    listener = lambda conn: commits.append(1)      # noqa: E731
    event.listen(services.engine, "commit", listener)
    try:
        with time_machine.travel(T0 + timedelta(days=2), tick=False):
            return services.timers.scheduler(worker="test", threads=1).tick(), len(commits)
    finally:
        event.remove(services.engine, "commit", listener)


def fired_once(services, case_id: int) -> bool:
    detail = services.cases.get_case(case_id)
    return (detail["status"] == "running" and [t["status"] for t in detail["timers"]] == ["fired"]
            and [e["kind"] for e in detail["events"]].count("timer_fired") == 1
            and [t["bpmn_id"] for t in detail["tasks"] if t["state"] == "open"] == ["check"])


def test_due_timers_of_many_cases_fire_once_each_in_few_transactions(services):
    cases = start_cases(services, "flaky_wait", 7, batch=3)
    result, commits = sweep(services)
    assert (result.fired, result.errors) == (7, 0)
    assert all(fired_once(services, case_id) for case_id in cases)
    again, idle = sweep(services)
    assert again.fired == 0, "nothing fires twice"
    assert commits - idle - 1 == 3, f"one claim and 3 step transactions for 7 cases in batches of 3 ({commits - idle - 1})"


def test_a_failing_case_goes_to_error_alone_and_the_rest_of_its_batch_fires(services):
    cases = start_cases(services, "flaky_wait", 5, batch=5)
    handlers_for_tests.FAIL["cases"] = {cases[2]}
    try:
        result, _ = sweep(services)
    finally:
        handlers_for_tests.FAIL["cases"] = set()
    assert (result.fired, result.errors) == (4, 1)
    failed = services.cases.get_case(cases[2])
    assert failed["status"] == "error" and "unreachable" in failed["error"]
    assert [(t["status"], t["attempts"]) for t in failed["timers"]] == [("waiting", 1)], "retryable"
    assert "timer_fired" not in [e["kind"] for e in failed["events"]], "nothing of the batch stuck to it"
    assert all(fired_once(services, case_id) for case_id in cases if case_id != cases[2])


@pytest.mark.postgres
def test_a_case_changed_by_another_process_during_the_batch_is_not_overwritten(pg_services):
    cases = start_cases(pg_services, "meddled_wait", 4, batch=4)
    handlers_for_tests.MEDDLE["target"] = (pg_services.engine, cases[3])
    result, _ = sweep(pg_services)
    assert not handlers_for_tests.MEDDLE
    assert (result.fired, result.errors) == (4, 0)
    assert all(fired_once(pg_services, case_id) for case_id in cases), "the batch rolled back and each case fired alone"
    with pg_services.engine.connect() as conn:
        versions = dict(conn.execute(text("SELECT id, row_version FROM cases")).all())
    assert versions[cases[3]] == versions[cases[0]] + 1, "the other process's change survived"
