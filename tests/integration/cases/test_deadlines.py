"""Deadlines computed by the set_deadline handler inside real cases, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import time_machine

from tests.support import bpmn_builder as b

DUE_BY_HANDLE = '<spiffworkflow:property name="dueDeadline" value="handle"/>'


def deadline_case_diagram() -> str:
    return b.linear("deadlines_t",
                    ("route", b.service_task("route", "set_deadline", {"name": "'route'"})),
                    ("handle_due", b.service_task("handle_due", "set_deadline", {"name": "'handle'"})),
                    ("work", b.user_task("work", "unit_staff", DUE_BY_HANDLE)),
                    ("extend", b.service_task("extend", "set_deadline",
                                              {"name": "'extension'", "start": "'handle'", "days": "extra_days"})),
                    ("more", b.user_task("more", "unit_staff")))


def test_registration_on_the_eve_of_spring_festival_gets_statutory_deadlines(services):
    services.processes.deploy({"d.bpmn": deadline_case_diagram()})
    services.users.add_user("worker", groups=["unit_staff"])
    with time_machine.travel(datetime(2026, 2, 1, 2, 0, tzinfo=timezone.utc), tick=False):   # 10:00 in Beijing
        case = services.cases.start_case("deadlines_t")
    deadlines = services.cases.get_case(case["id"])["data"]["deadlines"]
    assert deadlines["route"] == "2026-02-24T16:00:00+00:00", "15 days end in the holiday: moved to 24 Feb"
    assert deadlines["handle"] == "2026-04-02T16:00:00+00:00", "60 days: 2 April, a Thursday"
    [task] = services.tasks.list_tasks(case_id=case["id"])["items"]
    assert task["due_at"] == deadlines["handle"], "the task is due by the named deadline"

    with time_machine.travel(datetime(2026, 3, 30, 2, 0, tzinfo=timezone.utc), tick=False):
        services.tasks.complete_task(task["id"], user="worker", data={"extra_days": 30})
    data = services.cases.get_case(case["id"])["data"]
    assert data["deadlines"]["extension"] == "2026-05-06T16:00:00+00:00", \
        "30 days from the old deadline (2 Apr) end on 2 May, inside the May Day holiday: moved to 6 May"


def test_an_extension_longer_than_the_statute_allows_stops_the_case_in_error(services):
    services.processes.deploy({"d.bpmn": deadline_case_diagram()})
    services.users.add_user("worker", groups=["unit_staff"])
    case = services.cases.start_case("deadlines_t")
    [task] = services.tasks.list_tasks(case_id=case["id"])["items"]
    try:
        services.tasks.complete_task(task["id"], user="worker", data={"extra_days": 45})
    except Exception as err:        # CaseFailed: the step rolled back, the case is in error
        assert "1..30" in str(err)
    assert services.cases.get_case(case["id"])["status"] == "error"


def test_a_deadline_in_a_year_the_calendar_does_not_know_is_flagged(services):
    services.processes.deploy({"d.bpmn": deadline_case_diagram()})
    with time_machine.travel(datetime(2026, 12, 20, 2, 0, tzinfo=timezone.utc), tick=False):
        case = services.cases.start_case("deadlines_t")
    data = services.cases.get_case(case["id"])["data"]
    assert data["deadlines"]["route"] == "2027-01-04T16:00:00+00:00"
    assert "handle" in data["deadline_notes"] and "2027年节假日安排尚未收录" in data["deadline_notes"]["handle"]
    assert provisional(services, case["id"]) == ["handle", "route"], "each guess is in the audit trail"
    services.users.add_user("worker", groups=["unit_staff"])
    [task] = services.tasks.list_tasks(case_id=case["id"])["items"]
    services.tasks.complete_task(task["id"], user="worker", data={"extra_days": 10})
    assert provisional(services, case["id"]) == ["handle", "route", "extension"], "recorded once each"


def provisional(services, case_id: int) -> list[str]:
    events = services.cases.get_case(case_id)["events"]
    return [e["data"]["deadline"] for e in sorted(events, key=lambda e: e["id"]) if e["kind"] == "deadline_provisional"]
