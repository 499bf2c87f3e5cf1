"""Milestones: when each step of a case happened, for KPIs (contract: data["milestones"][name]).

Each milestone also sets the case's `stage`, the one line of progress the case list and the
petitioner's self-service page show."""
from __future__ import annotations

from handlers.registry import handler

STAGES = {"registered": "已登记", "accepted": "已受理/告知", "routed": "已转送/交办", "unit_signed": "承办中",
          "reported": "办结报告已审核", "replied": "已答复", "evaluated": "已评价", "evaluation_lapsed": "超期未评价",
          "closed": "已封档", "route_overdue": None, "recheck_requested": None}
MILESTONES = tuple(STAGES)


@handler("mark_milestone")
def mark_milestone(name: str, *, data: dict, clock) -> dict:
    """`registered` and `accepted` keep their first time (a re-routed case was accepted once);
    later milestones move to the latest occurrence (e.g. re-signing after an objection)."""
    if name not in STAGES:
        raise ValueError(f"unknown milestone {name!r}")
    milestones = dict(data.get("milestones") or {})
    if not (name in ("registered", "accepted") and name in milestones):
        milestones[name] = clock.now().isoformat()
    out = {"milestones": milestones}
    if STAGES[name] and (name == "closed" or not data.get("review_stage")):
        out["stage"] = STAGES[name]      # a 复查 under way outranks a rating given meanwhile
    return out
