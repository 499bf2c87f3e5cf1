"""The monthly selection of representative cases for the 代表恳谈会 (docs/domain.md §3.7: each month, pick
representative cases and hear the deputies of that field).

Candidates are the cases registered in the month plus the older ones still open past their
handling deadline at the month's end. Each rule a case meets adds points and a reason; the list
is ranked by points, then persons, then age, and takes at most one case per topic first, so the
deputies hear different matters. Accusations (检举控告) are never put before a meeting: their
reporters are protected (Art. 30). Same data, same list: nothing here is random.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from office.analysis import hotspots
from office.kpi.tables import CaseMetrics as M
from engine.store.models import Case

COLLECTIVE_PERSONS = 5          # 集体访 head-count [config]
LONG_OVERDUE_DAYS = 30
HOT_TOPICS = 3                  # the month's biggest topics count as hot
CONFIDENTIAL = "检举控告类"
POINTS = {"collective": 3, "repeat": 3, "key_case": 2, "backlog": 2, "hot": 2, "overdue": 2, "long_overdue": 1,
          "unsatisfied": 1}


@dataclass(frozen=True)
class Candidate:
    item: hotspots.Item
    key_case: bool
    backlog: bool
    handle_due: datetime | None
    done: bool
    rating: str | None          # the unit's rating (the handling rated), else the office's


def _candidates(session: Session, start: datetime, end: datetime, as_of: datetime) -> list[Candidate]:
    overdue = and_(M.registered_at < start, M.done_at.is_(None), M.closed_at.is_(None), M.handle_due < as_of)
    query = (select(M.case_id, M.reg_no, Case.subject, M.region, M.organ, M.unit, M.registered_at, M.persons,
                    M.is_repeat, M.key_case, M.backlog, M.handle_due, M.done_at.is_not(None) | M.closed_at.is_not(None),
                    func.coalesce(M.unit_rating, M.rating))
             .join(Case, Case.id == M.case_id)
             .where(or_(and_(M.registered_at >= start, M.registered_at < end), overdue),
                    or_(M.category.is_(None), M.category != CONFIDENTIAL), M.accused_unit.is_(None))
             .order_by(M.registered_at, M.case_id))
    return [Candidate(hotspots.Item(*row[:9]), *row[9:]) for row in session.execute(query)]


def _repeats(session: Session, ids: list[int], end: datetime) -> dict[int, int]:
    """How many later petitions (重件) came back on each case by the month's end."""
    if not ids:
        return {}
    query = (select(M.main_case_id, func.count()).where(M.main_case_id.in_(ids), M.registered_at < end)
             .group_by(M.main_case_id))
    return dict(session.execute(query).all())


def _hot(candidates: list[Candidate], start: datetime) -> tuple[dict[int, str], dict[str, int]]:
    """Topics of the month's new cases and the sizes of the biggest ones."""
    items = [c.item for c in candidates if c.item.registered_at >= start]
    topics = hotspots.assign(items)
    sizes: dict[str, int] = {}
    for topic in topics.values():
        sizes[topic] = sizes.get(topic, 0) + 1
    ranked = sorted((t for t in sizes if t and sizes[t] > 1), key=lambda t: (-sizes[t], t))[:HOT_TOPICS]
    return topics, {t: sizes[t] for t in ranked}


def _reasons(c: Candidate, repeats: int, topic: str, hot: dict[str, int], as_of: datetime) -> list[tuple]:
    """(rule, Chinese reason, the rule's number): pages translate by rule and number."""
    found = []
    if c.item.persons >= COLLECTIVE_PERSONS:
        found.append(("collective", f"集体访（{c.item.persons}人）", c.item.persons))
    if c.item.is_repeat or repeats:
        found.append(("repeat", f"重复信访（已重复{repeats}次）" if repeats else "重复信访（重件）", repeats))
    if c.key_case:
        found.append(("key_case", "领导包案", None))
    if c.backlog:
        found.append(("backlog", "积案", None))
    if topic in hot:
        found.append(("hot", f"热点：{topic}（本月{hot[topic]}件）", hot[topic]))
    if c.handle_due is not None and not c.done and c.handle_due < as_of:
        days = (as_of - c.handle_due).days
        found.append(("overdue", f"超期未办结{days}天", days))
        if days >= LONG_OVERDUE_DAYS:
            found.append(("long_overdue", f"超期{LONG_OVERDUE_DAYS}天以上", LONG_OVERDUE_DAYS))
    if c.rating == "不满意":
        found.append(("unsatisfied", "信访人不满意", None))
    return found


def _diverse(ranked: list[dict], limit: int) -> list[dict]:
    """At most one case per topic first; then, if places are left, the next best of any topic."""
    picked, topics = [], set()
    for row in ranked:
        if len(picked) < limit and (not row["topic"] or row["topic"] not in topics):
            picked.append(row)
            topics.add(row["topic"])
    chosen = {row["case_id"] for row in picked}
    picked += [row for row in ranked if row["case_id"] not in chosen][:limit - len(picked)]
    return sorted(picked, key=_order)


def _order(row: dict) -> tuple:
    return -row["score"], -row["persons"], row["registered_at"], row["case_id"]


def select_cases(session: Session, start: datetime, end: datetime, now: datetime, *, limit: int = 10) -> list[dict]:
    """The month's picks, best first, each with its points and the reasons it was picked."""
    as_of = min(now, end)
    candidates = _candidates(session, start, end, as_of)
    repeats = _repeats(session, [c.item.case_id for c in candidates], end)
    topics, hot = _hot(candidates, start)
    ranked = []
    for c in candidates:
        topic = topics.get(c.item.case_id) or (hotspots.keywords(c.item.subject or "") or ("",))[0]
        reasons = _reasons(c, repeats.get(c.item.case_id, 0), topic, hot, as_of)
        if not reasons:
            continue
        ranked.append({"case_id": c.item.case_id, "reg_no": c.item.reg_no, "subject": c.item.subject,
                       "region": c.item.region, "unit": c.item.unit, "organ": c.item.organ, "topic": topic,
                       "persons": c.item.persons, "registered_at": c.item.registered_at,
                       "score": sum(POINTS[key] for key, _, _ in reasons), "reasons": [text for _, text, _ in reasons],
                       "rules": [{"rule": key, "n": n} for key, _, n in reasons]})
    ranked.sort(key=_order)
    picks = _diverse(ranked, limit)
    for rank, row in enumerate(picks, start=1):
        row["rank"] = rank
    return picks
