"""积案 (the backlog): the office (its director) or a higher level (the leaders) lists a case as a
backlog case, with the day and the source of the listing (上级交办, 本级排查); its 化解 is recorded
later with the outcome. The seeds count such cases ("36件积案化解'清零'"), so 积案化解率 is
computed from these rows: the KPI row's `backlog` is set while a listing exists, and the 化解
recorded here is also a 化解 record of the case (source 积案化解), so the rate, the case page and
the ledger by unit read one and the same fact.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.core import Core
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.projection import record
from engine.store import repository
from engine.store.models import Case
from office.access import OFFICE, check_case_visible
from office.directory.names import Names
from office.exports import Sheet, workbook
from office.resolution import record as resolution
from office.supervision.tables import BacklogListing
from processes.calendar import local_day
from processes.routing import RESOLUTIONS

SOURCES = ("上级交办", "本级排查")
LISTERS = frozenset({"director", "leader", "admin"})      # the office's director, or a higher level
SOURCE_NAME = "积案化解"                                   # the 化解 record's source
COLUMNS = (("reg_no", "信访件编号"), ("subject", "事项"), ("unit_name", "责任单位"), ("source", "列入来源"),
           ("listed_on", "列入日期"), ("listed_by_name", "列入人"), ("outcome", "化解情况"),
           ("resolved_on", "化解日期"), ("resolution_note", "化解情况说明"))
SUMMARY = (("unit_name", "责任单位"), ("listed", "列入积案"), ("resolved", "已化解"), ("open", "未化解"))

Changed = Callable[[Session, int], None]


class Backlog:
    def __init__(self, core: Core, on_change: Changed | None = None):
        self.core = core
        self.on_change = on_change or (lambda session, case_id: None)     # the KPI row's decided columns

    def list_case(self, case_id: int, *, user: str, source: str, listed_on: str | None = None,
                  note: str = "") -> dict:
        """Lists a case as 积案. 403 for anyone but the director or a leader; 409 if it is listed
        and not yet resolved."""
        if source not in SOURCES:
            raise ValidationFailed(f"the source of the listing is one of {', '.join(SOURCES)}",
                                   [{"field": "source", "message": "unknown"}])
        _check_text(note, "note", required=False)
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            if not actor.groups & LISTERS:
                raise NotAllowed("only the director or a higher level lists a case as a backlog case")
            case = repository.get_case(session, case_id)
            check_case_visible(actor, case, session)
            day = _day(listed_on, now, "listed_on")
            if _open(session, case_id) is not None:
                raise Conflict("this case is already listed as 积案 and not yet resolved")
            unit = (case.unit or "").split(",")[0] or None
            row = BacklogListing(case_id=case_id, source=source, listed_on=day, note=(note or "").strip(), unit=unit,
                                 listed_by=actor.username, listed_at=now)
            session.add(row)
            session.flush()
            record(session, case_id, "backlog_listed", actor=actor.username, at=now,
                   message=f"列入积案（{source}，{day.isoformat()}）：{row.note}",
                   data={"listing": row.id, "source": source, "listed_on": day.isoformat()})
            self.on_change(session, case_id)
            result = _row_dict(row, case, Names(session))
            uow.commit()
            return result

    def resolve(self, listing_id: int, *, user: str, outcome: str, note: str,
                resolved_on: str | None = None) -> dict:
        """Records the 化解 of a listed case: the outcome (已化解, 部分化解, 未化解) and what was done.
        Only 已化解 closes the listing; the other outcomes are recorded and it stays open."""
        if outcome not in RESOLUTIONS:
            raise ValidationFailed(f"化解情况 is one of {', '.join(RESOLUTIONS)}",
                                   [{"field": "outcome", "message": "unknown"}])
        _check_text(note, "note", required=True)
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            if not actor.groups & LISTERS:
                raise NotAllowed("only the director or a higher level records how a backlog case was resolved")
            row = session.get(BacklogListing, listing_id)
            if row is None:
                raise NotFound(f"no backlog listing {listing_id}")
            case = repository.get_case(session, row.case_id)
            check_case_visible(actor, case, session)
            if row.resolved_at is not None:
                raise Conflict("this 积案 was already resolved")
            day = _day(resolved_on, now, "resolved_on")
            if day < row.listed_on:
                raise ValidationFailed("the 化解 cannot precede the listing",
                                       [{"field": "resolved_on", "message": "before the listing"}])
            row.outcome, row.resolution_note = outcome, note.strip()
            if outcome == RESOLUTIONS[0]:
                row.resolved_on, row.resolved_by, row.resolved_at = day, actor.username, now
            resolution.add(session.connection(), case.id, outcome, source=SOURCE_NAME, by=actor.username, at=now,
                           reason=note.strip())
            record(session, case.id, "backlog_resolved", actor=actor.username, at=now,
                   message=f"积案化解：{outcome}。{note.strip()}", data={"listing": row.id, "outcome": outcome})
            self.on_change(session, case.id)
            result = _row_dict(row, case, Names(session))
            uow.commit()
            return result

    def ledger(self, *, user: str, state: str | None = None) -> dict:
        """The backlog ledger (积案台账): every listing, and per unit how many were listed, resolved
        and are still open. The office's users read it."""
        if state not in (None, "", "open", "resolved"):
            raise ValidationFailed("state is open or resolved", [{"field": "state", "message": "unknown"}])
        with self.core.uow(write=False) as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            if not actor.groups & OFFICE:
                raise NotAllowed("the backlog ledger is the office's")
            q = select(BacklogListing, Case).join(Case, Case.id == BacklogListing.case_id)
            if state == "open":
                q = q.where(BacklogListing.resolved_at.is_(None))
            elif state == "resolved":
                q = q.where(BacklogListing.resolved_at.is_not(None))
            rows = session.execute(q.order_by(BacklogListing.listed_on.desc(), BacklogListing.id.desc())
                                   .limit(5000)).all()
            names = Names(session)
            items = [_row_dict(r, c, names) for r, c in rows]
        units: dict[str, dict] = {}
        for item in items:
            unit = units.setdefault(item["unit_name"], {"unit_name": item["unit_name"], "listed": 0, "resolved": 0,
                                                        "open": 0})
            unit["listed"] += 1
            unit["resolved" if item["resolved"] else "open"] += 1
        by_unit = sorted(units.values(), key=lambda u: (-u["open"], u["unit_name"]))
        total = {"unit_name": "合计", "listed": len(items), "resolved": sum(i["resolved"] for i in items)}
        total["open"] = total["listed"] - total["resolved"]
        return {"items": items, "by_unit": by_unit, "total": total}

    def ledger_xlsx(self, *, user: str, state: str | None = None) -> bytes:
        found = self.ledger(user=user, state=state)
        return workbook([Sheet("积案台账", SUMMARY, found["by_unit"] + [found["total"]], title="积案台账（按单位）"),
                         Sheet("积案明细", COLUMNS, found["items"], title="积案明细")])

    def of_case(self, case_id: int, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            session = uow.session
            case = repository.get_case(session, case_id)
            check_case_visible(self.core.actor(session, user), case, session)
            names = Names(session)
            return [_row_dict(r, case, names) for r in session.scalars(
                select(BacklogListing).where(BacklogListing.case_id == case_id).order_by(BacklogListing.id))]


def is_backlog(connection, case_id: int) -> bool:
    """For the KPI row: the case was listed as 积案 (resolved or not: the rate's denominator)."""
    return connection.execute(select(BacklogListing.id).where(BacklogListing.case_id == case_id)
                              .limit(1)).first() is not None


def _open(session: Session, case_id: int) -> BacklogListing | None:
    return session.scalars(select(BacklogListing).where(BacklogListing.case_id == case_id,
                                                        BacklogListing.resolved_at.is_(None))).first()


def _check_text(value, field: str, *, required: bool, most: int = 4000) -> None:
    if not isinstance(value, str) or len(value) > most or (required and not value.strip()):
        raise ValidationFailed(f"{field} is required (at most {most} characters)",
                               [{"field": field, "message": "required" if required else "too long"}])


def _day(value: str | None, now: datetime, field: str) -> date:
    """Today unless given; a date like 2026-03-02, never in the future."""
    if not value:
        return local_day(now)
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"{field} must be a date like 2026-03-02",
                               [{"field": field, "message": "not a date"}]) from None
    if day > local_day(now):
        raise ValidationFailed(f"{field} cannot be in the future", [{"field": field, "message": "in the future"}])
    return day


def _row_dict(r: BacklogListing, case: Case, names: Names) -> dict:
    return {"id": r.id, "case_id": r.case_id, "reg_no": case.reg_no, "subject": case.subject or "",
            "unit": r.unit, "unit_name": names.units(r.unit) if r.unit else "（未交办）", "source": r.source,
            "listed_on": r.listed_on.isoformat(), "listed_by_name": names.person(r.listed_by), "note": r.note,
            "outcome": r.outcome or "", "resolved": r.resolved_at is not None,
            "resolved_on": r.resolved_on.isoformat() if r.resolved_on else "",
            "resolution_note": r.resolution_note or ""}
