"""The engine clock moves for one thread only, and SpiffWorkflow's timers read it: a scenario run
or a demo replay in one request leaves other requests and the scheduler on the real time."""
from __future__ import annotations

import ast
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine import clock
from engine.bpmn import serialization, timer_events
from engine.bpmn.parsing import new_parser
from tests.support import bpmn_builder as b
from tests.support.paths import ROOT


# Years ahead of the real clock: a timer that fires here fired on the moved clock, not the real one.
T0 = datetime(2031, 3, 3, 1, 0, tzinfo=timezone.utc)

WAIT_TWO_DAYS = b.process("wait_two_days", (
    '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait" name="等两天"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P2D"</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' + b.user_task("close", "director", name="办结") +
    '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "wait") + b.flow("f2", "wait", "close") +
    b.flow("f3", "close", "end")))


def near_real_time(instant: datetime) -> bool:
    return abs(instant - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_a_moved_clock_in_one_thread_leaves_another_thread_on_real_time():
    entered, read = threading.Event(), threading.Event()
    seen = {}

    def replay():
        with clock.travel(T0) as moved:
            entered.set()
            read.wait(5)
            seen["inside"] = clock.utcnow()
            moved.shift(timedelta(days=3))
            seen["shifted"] = clock.utcnow()
        seen["after"] = clock.utcnow()

    worker = threading.Thread(target=replay)
    worker.start()
    entered.wait(5)
    seen["other thread"] = clock.utcnow()
    read.set()
    worker.join(5)
    assert near_real_time(seen["other thread"])
    assert seen["inside"] == T0 and seen["shifted"] == T0 + timedelta(days=3)
    assert near_real_time(seen["after"])


def test_nested_travel_restores_the_outer_clock_and_naive_instants_are_refused():
    with clock.travel(T0):
        with clock.travel(T0 + timedelta(days=1)) as inner:
            inner.move_to(datetime(2031, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))))
            assert clock.utcnow() == datetime(2031, 5, 1, 0, 0, tzinfo=timezone.utc)
        assert clock.utcnow() == T0
    with pytest.raises(ValueError, match="UTC offset"):
        with clock.travel(datetime(2031, 3, 3)):
            pass


def test_a_pool_thread_runs_on_the_caller_clock_only_when_carried():
    with clock.travel(T0), ThreadPoolExecutor(1) as pool:
        assert near_real_time(pool.submit(clock.utcnow).result())
        assert pool.submit(clock.carried(clock.utcnow)).result() == T0
        assert near_real_time(pool.submit(clock.utcnow).result()), "the pool thread is given back its own clock"


def test_a_duration_timer_started_on_a_moved_clock_fires_when_that_clock_passes_it(services):
    services.processes.deploy({"wait.bpmn": WAIT_TWO_DAYS})
    with clock.travel(T0) as moved:
        case_id = services.cases.start_case("wait_two_days")["id"]
        [timer] = services.cases.get_case(case_id)["timers"]
        assert timer["due_at"] == (T0 + timedelta(days=2)).isoformat()
        moved.shift(timedelta(days=1, hours=23))
        assert services.timers.fire_due_timers() == 0
        moved.shift(timedelta(hours=1, seconds=1))
        assert services.timers.fire_due_timers() == 1
    detail = services.cases.get_case(case_id)
    assert [t["status"] for t in detail["timers"]] == ["fired"]
    assert [t["bpmn_id"] for t in services.tasks.list_tasks(case_id=case_id)["items"]] == ["close"]


@pytest.mark.postgres
def test_timers_fired_on_several_scheduler_threads_keep_the_moved_clock(pg_services):
    pg_services.core.settings = replace(pg_services.settings, timer_batch=1, scheduler_threads=2)
    pg_services.processes.deploy({"wait.bpmn": WAIT_TWO_DAYS})
    due = T0 + timedelta(days=2, seconds=1)
    with clock.travel(T0) as moved:
        cases = [pg_services.cases.start_case("wait_two_days")["id"] for _ in range(3)]
        moved.move_to(due)
        assert pg_services.timers.fire_due_timers() == 3
    opened = [t["created_at"] for case_id in cases for t in pg_services.tasks.list_tasks(case_id=case_id)["items"]]
    assert opened == [due.isoformat()] * 3


def test_cycle_timers_count_from_the_moved_clock():
    parser = new_parser()
    parser.add_bpmn_str(b.process("remind", (
        '<bpmn:startEvent id="start"/>' + b.user_task("handle") +
        b.boundary_timer("nudge", "handle", '"R2/PT1H"', interrupting=False, kind="timeCycle") +
        '<bpmn:endEvent id="end"/><bpmn:endEvent id="nudged"/>' + b.flow("f1", "start", "handle") +
        b.flow("f2", "handle", "end") + b.flow("f3", "nudge", "nudged"))).encode())
    with clock.travel(T0) as moved:
        wf = BpmnWorkflow(parser.get_spec("remind"))
        wf.do_engine_steps()
        assert [e.value for e in wf.waiting_events()] == [(T0 + timedelta(hours=1)).isoformat()]
        moved.shift(timedelta(hours=1, seconds=1))
        wf.refresh_timers()
        wf.do_engine_steps()
        assert [e.value for e in wf.waiting_events()] == [(T0 + timedelta(hours=2)).isoformat()]


def test_definitions_stored_with_the_library_timer_classes_load_onto_the_engine_clock():
    """Stored definitions name their timers by the library's class names; they must come back as ours."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_str(WAIT_TWO_DAYS.encode())
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    stored = json.dumps({"spec": registry.convert(parser.get_spec("wait_two_days")), "subprocess_specs": {}})
    assert '"typename":"DurationTimerEventDefinition"' in stored.replace(" ", "")
    spec, _ = serialization.load_specs(stored)
    assert type(spec.task_specs["wait"].event_definition) is timer_events.DurationTimerEventDefinition


def test_production_code_never_imports_a_test_clock():
    """time-machine and freezegun move the clock of the whole process: tests only."""
    found = []
    for package in ("engine", "office", "webui", "cli", "handlers", "processes"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                found += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("time_machine", "freezegun")]
    assert found == []
