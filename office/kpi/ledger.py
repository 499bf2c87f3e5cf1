"""The 交办督办 ledger: what each unit was assigned (交办) in a period and where each item stands now.

One row of `unit_metrics` per unit and case (the lead's reply or report, a co-handling unit's
opinion), so a case with co-handling units appears once under each of its units. States are
taken at `now`: an item is closed on time or late by its own deadline, else open and overdue or
still in time. An item without a deadline yet (not signed for) is open and in time; one closed
without a deadline is on time.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.clock import iso
from office.kpi.tables import UnitMetrics as U
from engine.store.models import Case, Unit

ASSIGNED = "交办"
COLUMNS = ("assigned", "closed_on_time", "closed_late", "open_overdue", "open_in_time")


def _states(now: datetime) -> dict:
    """As things stood at `now` (a part done later was still open then)."""
    done = U.done_at <= now
    open_ = or_(U.done_at.is_(None), U.done_at > now)
    return {
        "closed_on_time": and_(done, or_(U.due.is_(None), U.done_at <= U.due)),
        "closed_late": and_(done, U.done_at > U.due),
        "open_overdue": and_(open_, U.due < now),
        "open_in_time": and_(open_, or_(U.due.is_(None), U.due >= now)),
    }


def _period(start: datetime, end: datetime, unit: str | None) -> list:
    where = [U.mode == ASSIGNED, U.routed_at >= start, U.routed_at < end]
    if unit is not None:
        where.append(U.unit == unit)
    return where


def ledger(session: Session, start: datetime, end: datetime, now: datetime, *, unit: str | None = None) -> list[dict]:
    """One row per unit, by unit code, then the total row (`unit` None) summing the unit rows."""
    states = _states(now)
    sums = [func.sum(case((condition, 1), else_=0)).label(name) for name, condition in states.items()]
    query = select(U.unit, func.count().label("assigned"), *sums).where(*_period(start, end, unit)) \
        .group_by(U.unit).order_by(U.unit)
    rows = [{"unit": r.unit, **{c: int(getattr(r, c) or 0) for c in COLUMNS}} for r in session.execute(query)]
    total = {"unit": None, **{c: sum(r[c] for r in rows) for c in COLUMNS}}
    return rows + [total]


def ledger_cases(session: Session, column: str, start: datetime, end: datetime, now: datetime, *,
                 unit: str | None, page: int, per_page: int) -> dict:
    """The items behind one ledger cell, oldest assignment first; `unit` None is the total row."""
    where = _period(start, end, unit)
    if column != "assigned":
        where.append(_states(now)[column])
    total = session.scalar(select(func.count()).select_from(U).where(*where)) or 0
    query = select(U, Case).join(Case, Case.id == U.case_id).where(*where) \
        .order_by(U.routed_at, U.case_id, U.unit).offset((page - 1) * per_page).limit(per_page)
    items = [_item(row, c, now) for row, c in session.execute(query)]
    return {"items": items, "total": total, "page": page, "per_page": per_page,
            "pages": max(1, -(-total // per_page))}


def _item(row: U, c: Case, now: datetime) -> dict:
    state = "closed" if row.done_at and row.done_at <= now else ("overdue" if row.due and row.due < now else "open")
    return {"case_id": c.id, "reg_no": c.reg_no, "subject": c.subject, "petitioner": c.petitioner,
            "category": c.category, "channel": c.channel, "region": c.region, "unit": row.unit,
            "role": "主办" if row.lead else "协办", "routed_at": iso(row.routed_at), "due": iso(row.due),
            "done_at": iso(row.done_at), "state": state, "stage": c.stage}


def known_unit(session: Session, unit: str) -> bool:
    """A unit of the directory, or one that some case was sent to (units named in older data)."""
    return session.get(Unit, unit) is not None or \
        session.scalar(select(U.case_id).where(U.unit == unit).limit(1)) is not None
