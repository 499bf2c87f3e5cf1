"""Milestones: when each step of a case happened, for KPIs (contract: data["milestones"][name])."""
from __future__ import annotations

from handlers.registry import handler

MILESTONES = ("registered", "accepted", "routed", "unit_signed", "reported", "replied", "evaluated",
              "evaluation_lapsed", "closed", "route_overdue")


@handler("mark_milestone")
def mark_milestone(name: str, *, data: dict, clock) -> dict:
    """The first time counts: a repeated step (e.g. re-signing after an objection) keeps the earliest
    `registered`/`accepted`, but later milestones move to the latest occurrence."""
    if name not in MILESTONES:
        raise ValueError(f"unknown milestone {name!r}")
    milestones = dict(data.get("milestones") or {})
    if name in ("registered", "accepted") and name in milestones:
        return {"milestones": milestones}
    milestones[name] = clock.now().isoformat()
    return {"milestones": milestones}
