"""The KPI tests' small fixed dataset: cases A..J, three repeats and the director's 化解 decisions,
whose figures are worked out by hand in tests/integration/kpi/test_kpi.py. Looked at on 5 November
2026 (00:00Z); the ratings come from an older form, whose one rating stood for office and unit.
`figures()` asks the service for one month's KPIs."""
from __future__ import annotations

from datetime import datetime, timezone

import time_machine

from office.access import Actor
from office.dates import Month
from tests.support.paths import SIMPLE

NOW = datetime(2026, 11, 5, tzinfo=timezone.utc)
DIRECTOR = Actor("boss", frozenset({"director"}))


def z(text: str) -> str:
    return f"2026-{text}:00Z"


# Case A..G; F is 不纳入统计. Deadlines end at 16:00Z (24:00 Asia/Shanghai) of the due day.
CASES = {
    "A": dict(channel="网信", persons=3, unit="U1",
              milestones={"registered": z("10-01T02:00"), "accepted": z("10-05T02:00"), "unit_signed": z("10-06T02:00"),
                          "replied": z("10-31T10:00"), "closed": z("10-31T10:00"), "evaluated": z("10-31T12:00")},
              deadlines={"route": z("10-16T16:00"), "handle": z("10-31T16:00"), "evaluate": z("11-15T16:00")},
              rating="满意"),
    "B": dict(channel="来信", persons=1, unit="U1", key_case=True,
              milestones={"registered": z("10-02T02:00"), "accepted": z("10-20T02:00")},
              deadlines={"route": z("10-17T16:00"), "handle": z("10-15T16:00")}),
    "C": dict(channel="来访", persons=5, unit="U2", is_repeat=True,
              milestones={"registered": z("10-03T02:00")}, deadlines={"route": z("10-18T16:00")}),
    "D": dict(channel="网信", persons=1, unit="U2", key_case=True, rating="不满意",
              milestones={"registered": z("10-04T02:00"), "accepted": z("10-10T02:00"), "unit_signed": z("10-20T02:00"),
                          "replied": z("10-25T02:00"), "closed": z("10-26T02:00"), "evaluated": z("10-27T02:00")},
              deadlines={"route": z("10-19T16:00"), "handle": z("10-20T16:00"), "evaluate": z("10-30T16:00")}),
    "E": dict(channel="来信", persons=2, unit="U1", backlog=True,
              milestones={"registered": z("09-10T02:00"), "unit_signed": z("10-01T02:00"), "replied": z("10-08T02:00"),
                          "closed": z("10-08T02:00"), "evaluation_lapsed": z("10-06T02:00")},
              deadlines={"route": z("09-25T16:00"), "handle": z("11-20T16:00"), "evaluate": z("10-05T16:00")}),
    "F": dict(channel="电话", persons=1, in_stats=False, milestones={"registered": z("10-05T02:00")}),
    "G": dict(channel="网信", persons=1, unit="U2",
              milestones={"registered": z("10-20T02:00"), "accepted": z("10-22T02:00")},
              deadlines={"route": z("11-04T16:00"), "handle": z("11-30T16:00"), "evaluate": z("11-10T16:00")}),
    # replied in June; I comes back on 15 September (past its window: 1 June + 90 days = Sun 30 Aug,
    # moved to Mon 31 Aug 24:00), J on 20 June (inside its window)
    "I": dict(channel="来信", persons=1, unit="U3",
              milestones={"registered": z("05-04T02:00"), "replied": z("06-01T02:00"), "closed": z("07-01T02:00")}),
    "J": dict(channel="来信", persons=1, unit="U3",
              milestones={"registered": z("05-05T02:00"), "replied": z("06-02T02:00"), "closed": z("07-02T02:00")}),
}
# the director's 化解 decisions: (case, outcome, when)
RESOLVED = [("E", "已化解", z("10-08T03:00")), ("D", "已化解", z("10-26T03:00")), ("B", "部分化解", z("10-28T03:00"))]
REPEATS = {"C2": ("A", dict(channel="来信", milestones={"registered": z("11-02T02:00")})),
           "I2": ("I", dict(channel="来信", milestones={"registered": z("09-15T02:00")})),
           "J2": ("J", dict(channel="来信", milestones={"registered": z("06-20T02:00")}))}


def load(services) -> dict[str, int]:
    """Deploys tests/data/simple.bpmn and starts every case of the dataset at NOW; returns key -> case id."""
    services.processes.deploy({"simple.bpmn": SIMPLE.read_text()})
    services.users.add_user("clerk1", groups=["intake_staff"])
    ids = {}
    with time_machine.travel(NOW, tick=False):
        for name, data in CASES.items():
            ids[name] = services.cases.start_case("complaint_simple", {"reg_no": f"REG-{name}", **data}, user="clerk1")["id"]
        for name, (main, data) in REPEATS.items():
            ids[name] = services.cases.start_case("complaint_simple", {"reg_no": f"REG-{name}", "is_repeat": True,
                                                                 "main_case_id": ids[main], **data},
                                            user="clerk1")["id"]
    services.users.add_user("boss", groups=["director"])
    for name, outcome, at in RESOLVED:
        with time_machine.travel(datetime.fromisoformat(at), tick=False):
            services.resolutions.set_resolution(ids[name], outcome, user="boss", reason="回访确认")
    return ids


def figures(services, month="2026-10", actor=DIRECTOR, by=None):
    start, end = Month.parse(month).bounds()
    with time_machine.travel(NOW, tick=False):
        rows = services.kpi.kpis(actor, start, end, by=by)
    return {(r["kpi"], r["group"]): r for r in rows}


def nd(row) -> tuple:
    return row["numerator"], row["denominator"], row["rate"]
