"""The timer service through the service API, with a moved clock, on SQLite and PostgreSQL:
reminders before a deadline, 督办 after it, moved deadlines, catch-up and failing timers."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import NotAllowed, ValidationFailed
from tests.support import bpmn_builder as b
from tests.support import handlers_for_tests

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
HANDLE_PROPS = '<spiffworkflow:property name="dueDeadline" value="handle"/>'


def handling_diagram(boundary: bool = False) -> str:
    body = ('<bpmn:startEvent id="start"/>' + b.user_task("handle", "unit_staff", HANDLE_PROPS, name="办理") +
            '<bpmn:endEvent id="done"/>' + b.flow("f1", "start", "handle") + b.flow("f2", "handle", "done"))
    if boundary:
        body += (b.boundary_timer("late", "handle", 'deadline("handle")', kind="timeDate") + b.user_task("overdue", "director") +
                 '<bpmn:endEvent id="e2"/>' + b.flow("f3", "late", "overdue") + b.flow("f4", "overdue", "e2"))
    return b.process("handling_t", body)


@pytest.fixture
def office(services):
    services.processes.deploy({"h.bpmn": handling_diagram()})
    services.admin.save_unit("housing", "区住房和城乡建设局", user="system")    # the 督办函's addressee
    services.users.add_user("worker", groups=["unit_staff"], unit="housing")
    services.users.add_user("boss", groups=["director"])
    services.users.add_user("chief", groups=["leader"])
    return services


def start(office, days: int = 60) -> int:
    with time_machine.travel(T0, tick=False):
        due = (T0 + timedelta(days=days)).isoformat()
        return office.cases.start_case("handling_t", data={"deadlines": {"handle": due}, "reg_no": "LF-2026-0001", "unit": "housing",
                                                          "subject": "楼上装修噪音扰民"})["id"]


def sweep(office, at: datetime):
    with time_machine.travel(at, tick=False):
        return office.timers.scheduler(worker="test").tick()


def kinds(office, case_id) -> list[str]:
    return [e["kind"] for e in office.cases.get_case(case_id)["events"]]


def director_tasks(office, case_id) -> list[dict]:
    return [t for t in office.tasks.list_tasks(case_id=case_id)["items"] if t["bpmn_id"].startswith("supervise:")]


def test_sixty_day_deadline_reminds_before_and_escalates_on_day_61(office):
    case_id = start(office)
    assert sweep(office, T0 + timedelta(days=44)).reminders == 0
    assert sweep(office, T0 + timedelta(days=45, minutes=1)).reminders == 1, "15 days before"
    assert sweep(office, T0 + timedelta(days=46)).reminders == 0, "once"
    assert sweep(office, T0 + timedelta(days=57, minutes=1)).reminders == 1, "3 days before"
    assert sweep(office, T0 + timedelta(days=59, hours=23)).escalations == 0
    assert director_tasks(office, case_id) == []

    assert sweep(office, T0 + timedelta(days=61)).escalations == 1
    assert director_tasks(office, case_id) == [], "the director decides only at 14 days overdue"
    assert kinds(office, case_id).count("reminder") == 2
    assert kinds(office, case_id).count("escalated") == 1
    assert kinds(office, case_id).count("document_issued") == 1, "督办函 No. 1 to the unit"
    notes = [n["text"] for n in office.notifications.notifications("boss")]
    assert any(t.startswith("督办：") for t in notes), notes
    assert [n["kind"] for n in office.notifications.notifications("worker")] == ["escalation", "reminder", "reminder"]

    assert sweep(office, T0 + timedelta(days=64)).escalations == 0, "weekly, not daily"
    assert sweep(office, T0 + timedelta(days=68, hours=1)).escalations == 1
    assert office.notifications.notifications("worker")[0]["text"].startswith("督办函（第2号）")
    assert sweep(office, T0 + timedelta(days=75, hours=2)).escalations == 1
    [supervise] = director_tasks(office, case_id)
    assert supervise["groups"] == ["director"] and "约谈" in supervise["name"]
    assert sweep(office, T0 + timedelta(days=91, hours=2)).escalations == 1
    assert "leader_listed" in kinds(office, case_id), "30 days overdue: the leader's list"
    assert office.notifications.notifications("chief")[0]["kind"] == "leader"

    with time_machine.travel(T0 + timedelta(days=92), tick=False):
        office.tasks.complete_task(supervise["id"], user="boss", data={"decision": "继续督办", "note": "已电话督促"})
    assert director_tasks(office, case_id) == []
    assert office.cases.get_case(case_id)["status"] == "running", "the case itself is untouched"


def test_finishing_the_task_stops_its_reminders_and_escalation(office):
    case_id = start(office)
    [task] = office.tasks.list_tasks(case_id=case_id)["items"]
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        office.tasks.complete_task(task["id"], user="worker")
    detail = office.cases.get_case(case_id)
    assert detail["next_timer_at"] is None, "the step that closed the task cancelled its reminder and ladder"
    assert {t["status"] for t in detail["timers"] if t["kind"] != "bpmn"} <= {"cancelled"}
    result = sweep(office, T0 + timedelta(days=100))
    assert (result.reminders, result.escalations) == (0, 0)
    assert "reminder" not in kinds(office, case_id)


def test_an_extension_moves_the_task_its_escalation_and_the_waiting_timer(services):
    services.processes.deploy({"h.bpmn": handling_diagram(boundary=True)})
    services.users.add_user("worker", groups=["unit_staff"])
    services.users.add_user("boss", groups=["director"])
    case_id = start(services)
    with time_machine.travel(T0 + timedelta(days=50), tick=False):
        with pytest.raises(NotAllowed):
            services.cases.change_deadline(case_id, "handle", (T0 + timedelta(days=90)).isoformat(), user="worker")
        with pytest.raises(ValidationFailed):
            services.cases.change_deadline(case_id, "handle", "next month", user="boss")
        services.cases.change_deadline(case_id, "handle", (T0 + timedelta(days=90)).isoformat(), user="boss",
                                 reason="延期30日，主任批准")
    detail = services.cases.get_case(case_id)
    assert detail["timers"][0]["due_at"] == (T0 + timedelta(days=90)).isoformat()
    [task] = services.tasks.list_tasks(case_id=case_id)["items"]
    assert task["due_at"] == (T0 + timedelta(days=90)).isoformat()
    assert "deadline_changed" in kinds(services, case_id)

    result = sweep(services, T0 + timedelta(days=61))
    assert (result.fired, result.escalations) == (0, 0), "the old deadline no longer applies"
    result = sweep(services, T0 + timedelta(days=91))
    assert result.fired == 1
    assert [t["bpmn_id"] for t in services.tasks.list_tasks(case_id=case_id)["items"]] == ["overdue"]


def test_after_downtime_overdue_work_fires_once_and_missed_reminders_collapse(office):
    case_id = start(office)
    result = sweep(office, T0 + timedelta(days=59))
    assert result.reminders == 1, "both missed reminders arrive as one"
    result = sweep(office, T0 + timedelta(days=90))
    assert result.escalations == 1, "four missed weekly rungs arrive as one firing"
    assert kinds(office, case_id).count("escalated") == 1
    assert kinds(office, case_id).count("document_issued") == 1, "missed weekly letters collapse into one"
    assert kinds(office, case_id).count("supervision_task_opened") == 1
    assert sweep(office, T0 + timedelta(days=91)).escalations == 0


def test_a_handler_failing_during_a_timer_leaves_the_case_in_error_and_the_timer_retryable(services):
    xml = b.process("timed_service", (
        '<bpmn:startEvent id="start"/>'
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>' +
        b.service_task("number", "test_flaky") + b.user_task("check", "unit_staff") +
        '<bpmn:endEvent id="end"/>' + b.flow("f1", "start", "wait") + b.flow("f2", "wait", "number") +
        b.flow("f3", "number", "check") + b.flow("f4", "check", "end")))
    services.processes.deploy({"t.bpmn": xml})
    services.users.add_user("boss", groups=["director"])
    with time_machine.travel(T0, tick=False):
        case_id = services.cases.start_case("timed_service")["id"]
    handlers_for_tests.FAIL["on"] = True
    try:
        result = sweep(services, T0 + timedelta(days=2))
    finally:
        handlers_for_tests.FAIL["on"] = False
    assert (result.fired, result.errors) == (0, 1)
    detail = services.cases.get_case(case_id)
    assert detail["status"] == "error" and "unreachable" in detail["error"]
    assert detail["timers"][0]["status"] == "waiting" and detail["timers"][0]["attempts"] == 1
    assert sweep(services, T0 + timedelta(days=2, minutes=1)).fired == 0, "an error case is not retried blindly"
    with time_machine.travel(T0 + timedelta(days=2, hours=1), tick=False):
        assert services.cases.retry_case(case_id, user="boss")["status"] == "running"
    detail = services.cases.get_case(case_id)
    assert detail["timers"][0]["status"] == "fired"
    assert [t["bpmn_id"] for t in services.tasks.list_tasks(case_id=case_id)["items"]] == ["check"]


def test_scheduler_status_reports_backlog_lateness_and_workers(office):
    start(office)
    with time_machine.travel(T0 + timedelta(days=61), tick=False):
        status = office.timers.scheduler_status()
    assert status["backlog"] == 2          # the reminder and the escalation are due
    sweep(office, T0 + timedelta(days=61))
    with time_machine.travel(T0 + timedelta(days=61, seconds=5), tick=False):
        status = office.timers.scheduler_status()
    assert status["backlog"] == 0
    assert status["workers"][0]["worker"] == "test"
    assert status["escalations_total"] == 1 and status["reminders_total"] == 1
    assert status["heartbeat_age_s"] == 5.0


WAIT_A_DAY = b.process("wait_a_day", (
    '<bpmn:startEvent id="start"/><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:endEvent id="end"/>' +
    b.flow("f1", "start", "wait") + b.flow("f2", "wait", "end")))


@pytest.mark.postgres
def test_a_scheduler_without_pre_ping_survives_a_database_restart(pg_services, pg_url):
    """The standalone scheduler skips the per-checkout ping: when the server drops its connections,
    one sweep fails (logged, the ticker goes on) and the next reconnects and fires."""
    from sqlalchemy import create_engine, text
    from office.root import Services
    from engine.timers.ticker import _sweep
    svc = Services(pg_services.settings.with_(db_pre_ping=False))
    try:
        svc.processes.deploy({"w.bpmn": WAIT_A_DAY})
        with time_machine.travel(T0, tick=False):
            case_id = svc.cases.start_case("wait_a_day")["id"]
        worker = svc.timers.scheduler(worker="no-ping", threads=1)
        with time_machine.travel(T0, tick=False):
            assert worker.tick().fired == 0                     # the pool now holds a live connection
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:                           # what a server restart does to clients
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        admin.dispose()
        with time_machine.travel(T0 + timedelta(days=2), tick=False):
            _sweep(worker)                                      # fails inside, must not raise
            worker.tick()
        assert svc.cases.get_case(case_id)["status"] == "complete"
        assert kinds(svc, case_id).count("timer_fired") == 1
    finally:
        svc.engine.dispose()
