"""A small dataset for the 指标看板 pages, whose figures are worked out by hand.

October 2026 (Asia/Shanghai), looked at on 5 November; deadlines end at 16:00Z (24:00 local):
  A  district_gov,   网信, 3 persons, 交办 2 Oct, handle due 31 Oct, replied 31 Oct   → on time
  B  district_gov,   来信, 1 person,  交办 3 Oct, handle due 15 Oct, nothing yet      → open, overdue
  D  district_court, 网信, 1 person,  交办 5 Oct, handle due 20 Oct, replied 25 Oct   → late
  C  district_court, 来访, 5 persons, registered 3 Oct, never routed
"""
from __future__ import annotations

from datetime import datetime, timezone

import time_machine

from tests.support.paths import SIMPLE

NOW = datetime(2026, 11, 5, 2, tzinfo=timezone.utc)


def z(text: str) -> str:
    return f"2026-{text}:00Z"


CASES = {
    "A": dict(unit="district_gov", channel="网信", persons=3, mode="交办", subject="道路破损",
              milestones={"registered": z("10-01T02:00"), "routed": z("10-02T02:00"), "replied": z("10-31T10:00")},
              deadlines={"handle": z("10-31T16:00")}),
    "B": dict(unit="district_gov", channel="来信", persons=1, mode="交办", subject="拆迁补偿",
              milestones={"registered": z("10-02T02:00"), "routed": z("10-03T02:00")},
              deadlines={"handle": z("10-15T16:00")}),
    "C": dict(unit="district_court", channel="来访", persons=5, subject="判决执行",
              milestones={"registered": z("10-03T02:00")}),
    "D": dict(unit="district_court", channel="网信", persons=1, mode="交办", subject="噪音扰民",
              milestones={"registered": z("10-04T02:00"), "routed": z("10-05T02:00"), "replied": z("10-25T02:00")},
              deadlines={"handle": z("10-20T16:00")}),
}


def load_dataset(svc) -> dict[str, int]:
    svc.processes.deploy({"simple.bpmn": SIMPLE.read_text()})
    svc.users.add_user("clerk1", groups=["intake_staff"])
    ids = {}
    with time_machine.travel(NOW, tick=False):
        for name, data in CASES.items():
            ids[name] = svc.cases.start_case("complaint_simple", {
                "reg_no": f"REG-{name}", "petitioners": [{"name": f"王{name}明"}], **data}, user="clerk1")["id"]
    return ids
