"""Small fixed offices for the analysis tests: cases started on tests/data/simple.bpmn with the
data the KPI projection reads (subject, region, organ, persons, flags, milestones)."""
from __future__ import annotations

from datetime import datetime, timezone

import time_machine

from office.access import Actor
from tests.support.paths import SIMPLE

NOW = datetime(2026, 11, 5, tzinfo=timezone.utc)
DIRECTOR = Actor("boss", frozenset({"director"}))
ANALYST = Actor("ana", frozenset({"analyst"}))
ADVISOR = Actor("adv", frozenset({"legal_advisor"}))
U1_STAFF = Actor("u1", frozenset({"unit_staff"}), "U1")
CLERK = Actor("clerk", frozenset({"clerk"}))


def registered(day: str, month: int = 10) -> dict:
    return {"milestones": {"registered": f"2026-{month:02d}-{day}T02:00:00Z"}}


def make_office(services, cases: dict[str, dict], repeats: dict[str, tuple[str, dict]] | None = None) -> dict:
    """Starts every case at NOW; `repeats` name their 主件 by key. Returns key -> case id."""
    services.processes.deploy({"simple.bpmn": SIMPLE.read_text()})
    services.users.add_user("clerk1", groups=["intake_staff"])
    ids: dict[str, int] = {}
    with time_machine.travel(NOW, tick=False):
        for name, data in cases.items():
            ids[name] = services.cases.start_case("complaint_simple", {"reg_no": f"REG-{name}", **data}, user="clerk1")["id"]
        for name, (main, data) in (repeats or {}).items():
            ids[name] = services.cases.start_case("complaint_simple", {"reg_no": f"REG-{name}", "is_repeat": True,
                                                                 "main_case_id": ids[main], **data}, user="clerk1")["id"]
    return ids
