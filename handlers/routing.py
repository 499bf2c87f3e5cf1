"""Routing handlers: units chosen at 签批, counters for bounded loops, ratings, review stages."""
from __future__ import annotations

from handlers.registry import handler
from processes import routing


@handler("record_routing")
def record_routing(*, data: dict) -> dict:
    """Lead unit first, then co-handling units; the accused unit can never be among them."""
    lead = data.get("lead_unit") or data.get("organ_unit")
    if not lead:
        raise ValueError("no handling unit was chosen")
    units = [lead] + [u for u in (data.get("co_units") or []) if u and u != lead]
    routing.check_not_accused(units, data.get("accused_unit"))
    mode = data.get("mode") or ("交办" if data.get("organ_unit") else "转送")
    return {"unit": ",".join(units), "lead_unit": lead, "co_units": units[1:], "mode": mode,
            "route": mode, "feedback_required": mode != "转送" or bool(data.get("feedback_required")),
            "key_case": bool(data.get("key_case") or data.get("key_assignment")),
            "sendbacks": int(data.get("sendbacks") or 0), "objections": int(data.get("objections") or 0)}


@handler("route_to_discipline")
def route_to_discipline(*, data: dict) -> dict:
    """检举控告 go to 纪检监察 (Art. 30); never to the accused unit, whatever the office configured."""
    routing.check_not_accused([routing.DISCIPLINE_UNIT], data.get("accused_unit"))
    return {"unit": routing.DISCIPLINE_UNIT, "lead_unit": routing.DISCIPLINE_UNIT, "route": "移交纪检监察",
            "category": "检举控告类"}


@handler("count_up")
def count_up(counter: str, *, data: dict) -> dict:
    return {counter: int(data.get(counter) or 0) + 1}


@handler("count_in_statistics")
def count_in_statistics(*, data: dict) -> dict:
    """纳入统计 by rule at triage (processes.routing.counted_in_statistics); the director may change
    it later, with a reason, through the case's statistics service."""
    counted, basis = routing.counted_in_statistics(data.get("route"))
    return {"in_stats": counted, "in_stats_basis": basis}


@handler("record_rating")
def record_rating(*, data: dict) -> dict:
    """The petitioner rates the handling unit and, where asked, the office: two ratings, each
    counted in its own 满意率. A form of an older version has one rating (`satisfaction`), which
    stood for both."""
    unit = data.get("unit_satisfaction") or data.get("satisfaction")
    office = data.get("office_satisfaction") if "unit_satisfaction" in data else data.get("satisfaction")
    return {"unit_rating": unit, "office_rating": office}


REVIEW_STAGES = {("复查", "open"): "复查中", ("复查", "decided"): "已作出复查意见", ("复查", "concluded"): "复查终结",
                 ("复核", "open"): "复核中", ("复核", "decided"): "复核终结", ("复核", "concluded"): "复核终结"}


@handler("set_review_stage")
def set_review_stage(stage: str, concluded: bool = False, decided: bool = False) -> dict:
    """The review level and where it stands; the case's stage follows, so once a 复查 is asked
    for the case no longer reads 已答复."""
    where = "concluded" if concluded else ("decided" if decided else "open")
    out = {"review_stage": stage, "concluded": bool(concluded), "stage": REVIEW_STAGES[(stage, where)]}
    if where == "open":
        out["review_organ"] = None      # the 复核 organ signs its own opinion, never the 复查 organ's name
    return out


@handler("record_organ_evaluation")
def record_organ_evaluation(*, data: dict) -> dict:
    """评: one entry per court/procuratorate, for the annual report to the congress."""
    entry = {"organ_unit": data.get("organ_unit"), "score": data.get("score"),
             "note": data.get("evaluation_note", "")}
    return {"organ_evaluations": [*(data.get("organ_evaluations") or []), entry]}
