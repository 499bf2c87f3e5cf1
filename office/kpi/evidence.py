"""What a drill-down shows beside each case so an auditor can check it against the KPI's rule:
the instants and values the KPI's cohort and numerator read (office.kpi.figures), per KPI.

`kind` says how a value reads: a deadline ("due", shown as 24:00 of its last day), an instant
("time") or a word ("text").
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session, aliased

from office.kpi.tables import CaseMetrics as M


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    kind: str = "time"


DUE, TEXT = "due", "text"
DONE = Column("done_at", "办结（答复送达）")
EVIDENCE: dict[str, tuple[Column, ...]] = {
    "timely_acceptance": (Column("route_due", "受理期限", DUE), Column("accepted_at", "受理/告知时间"),
                          Column("unit_accepted_at", "签收时间")),
    "unit_timely_acceptance": (Column("unit_accept_due", "签收期限", DUE), Column("unit_accepted_at", "签收时间")),
    "on_time_closure": (Column("handle_due", "办理期限", DUE), DONE),
    "evaluation_rate": (Column("evaluation_due", "评价期限", DUE), Column("evaluated_at", "评价时间")),
    "satisfaction": (Column("evaluated_at", "评价时间"), Column("rating", "对信访办的评价", TEXT)),
    "unit_satisfaction": (Column("evaluated_at", "评价时间"), Column("unit_rating", "对承办单位的评价", TEXT)),
    "repeat_rate": (Column("main_reg_no", "主件", TEXT),),
    "first_time_resolution": (DONE, Column("window_end", "观察期至", DUE), Column("came_back", "再次信访", TEXT)),
    "backlog_resolution": (Column("resolution", "化解情况", TEXT), Column("resolved_at", "化解时间")),
    "key_case_resolution": (Column("resolution", "化解情况", TEXT), Column("resolved_at", "化解时间")),
    "online_share": (),
}
_READ = ("registered_at", "route_due", "accepted_at", "unit_accept_due", "unit_accepted_at", "handle_due", "done_at",
         "evaluation_due", "evaluated_at", "rating", "unit_rating", "window_end", "resolution", "resolved_at",
         "main_case_id")


def case_evidence(session: Session, key: str, ids: list[int]) -> dict[int, dict]:
    """{case id: {field: value}} for the cases of one drill-down page."""
    if not ids:
        return {}
    rows = session.execute(select(M.case_id, *[getattr(M, f) for f in _READ]).where(M.case_id.in_(ids)))
    found = {r.case_id: dict(r._mapping) for r in rows}
    fields = {c.field for c in EVIDENCE.get(key, ())}
    if "main_reg_no" in fields:
        mains = {r.get("main_case_id") for r in found.values()} - {None}
        numbers = dict(session.execute(select(M.case_id, M.reg_no).where(M.case_id.in_(mains)))) if mains else {}
        for values in found.values():
            values["main_reg_no"] = numbers.get(values.get("main_case_id"))
    if "came_back" in fields:
        back = _came_back(session, ids)
        for case_id, values in found.items():
            values["came_back"] = back.get(case_id)
    return found


def _came_back(session: Session, ids: list[int]) -> dict[int, str]:
    """A 重件 (the lowest register number) that came back to each case after its 办结, within its
    window: the condition the figures count by."""
    repeat, main = aliased(M), aliased(M)
    query = (select(main.case_id, func.min(repeat.reg_no)).join(repeat, repeat.main_case_id == main.case_id)
             .where(main.case_id.in_(ids), repeat.is_repeat == true(), repeat.registered_at > main.done_at,
                    or_(main.window_end.is_(None), repeat.registered_at <= main.window_end))
             .group_by(main.case_id))
    return dict(session.execute(query).all())
