"""The office's own chasing acts and the supervision ledger (督办台账).

Seed 001's channels (签批交办、书函催办、电话询办、共同接办), the levers of Art. 39 (约谈、通报、
挂牌督办) and the meetings that settle stalled cases (交办督办会、调度会): each act is a ledger row
with its date, who acted, how, towards which unit and with what outcome, and an event on the
case's timeline. 书函催办 issues the case's next numbered 督办函; 挂牌督办 puts the case on the
office's list until the director lifts it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.core import Core
from engine.errors import Conflict, NotAllowed, ValidationFailed
from engine.store import repository
from engine.store.models import Case, HumanTask, Unit
from office.access import OFFICE, check_case_visible
from office.directory.names import Names
from office.exports import Sheet, workbook
from office.supervision import ladder
from office.supervision.entries import add_entry
from office.supervision.tables import SupervisionEntry, SupervisionMeeting
from processes.calendar import local_day

CHASING = ("书函催办", "电话询办", "共同接办")             # the office's staff chase
LEVERS = ("约谈", "通报", "挂牌督办")                    # the director's levers (Art. 39)
MEETINGS = ("交办督办会", "调度会")
METHODS = CHASING + LEVERS + MEETINGS + ("再次督办", ladder.TASK_METHOD)   # then the 回头看's, the ladder's
CHASERS = frozenset({"clerk", "director", "admin"})
DIRECTORS = frozenset({"director", "admin"})
COLUMNS = (("acted_on", "日期"), ("reg_no", "信访件编号"), ("subject", "事项"), ("method", "督办方式"),
           ("unit_name", "督办单位"), ("actor_name", "督办人"), ("outcome", "结果"), ("note", "情况记录"),
           ("meeting", "会议"))


class SupervisionLedger:
    def __init__(self, core: Core, documents):
        self.core = core
        self.documents = documents

    def record_action(self, case_id: int, *, user: str, method: str, unit: str, outcome: str,
                      note: str = "", acted_on: str | None = None) -> dict:
        """One chasing act on a case. 电话询办 needs its call note; 约谈, 通报 and 挂牌督办 are the director's."""
        if method not in CHASING + LEVERS:
            raise ValidationFailed(f"unknown supervision method {method!r}",
                                   [{"field": "method", "message": f"one of {', '.join(CHASING + LEVERS)}"}])
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            _check_may(actor, method)
            case = repository.get_case(session, case_id)
            check_case_visible(actor, case, session)
            day = _day(acted_on, now)
            _check_text(outcome, "outcome", required=True)
            _check_text(note, "note", required=method == "电话询办")
            _check_unit(session, unit, case)
            document_id = None
            if method == "书函催办":
                document_id = ladder.issue_letter(session, self.documents, _dated_step(session, case, unit), now,
                                                  actor.username)
            if method == "挂牌督办":
                ladder.put_on_list(session, case.id, "hanging", reason=outcome, actor=actor.username, now=now,
                                   task=_dated_step(session, case, unit, required=False), unit=unit)
            entry = add_entry(session, case.id, method, day, actor.username, unit, outcome, note, now,
                           document_id=document_id)
            result = _entry_dict(entry, case, Names(session))
            uow.commit()
            return result

    def record_meeting(self, *, user: str, kind: str, held_on: str, title: str, decisions: list[dict]) -> dict:
        """A 交办督办会 or 调度会 (the director's): `decisions` is [{case_id, decision}], one per case
        discussed; each becomes a ledger row towards the case's lead unit."""
        if kind not in MEETINGS:
            raise ValidationFailed(f"unknown meeting kind {kind!r}", [{"field": "kind", "message": "交办督办会 or 调度会"}])
        if not decisions:
            raise ValidationFailed("a meeting records at least one case", [{"field": "decisions", "message": "required"}])
        with self.core.uow() as uow:
            session, now = uow.session, utcnow()
            actor = self.core.actor(session, user)
            if not actor.groups & DIRECTORS:
                raise NotAllowed("only the director records a supervision meeting")
            _check_text(title, "title", required=True, most=200)
            meeting = SupervisionMeeting(kind=kind, held_on=_day(held_on, now), title=title.strip(),
                                         recorded_by=actor.username, recorded_at=now)
            session.add(meeting)
            session.flush()
            names, rows = Names(session), []
            for item in decisions:
                case = repository.get_case(session, int(item.get("case_id") or 0))
                check_case_visible(actor, case, session)
                _check_text(item.get("decision", ""), "decision", required=True)
                lead = (case.unit or "").split(",")[0] or None
                entry = add_entry(session, case.id, kind, meeting.held_on, actor.username, lead, item["decision"],
                               title, now, meeting_id=meeting.id)
                rows.append(_entry_dict(entry, case, names))
            uow.commit()
            return {"id": meeting.id, "kind": kind, "held_on": meeting.held_on.isoformat(), "title": meeting.title,
                    "entries": rows}

    def entries(self, *, user: str, case_id: int | None = None, method: str | None = None,
                unit: str | None = None, since: str | None = None, until: str | None = None) -> list[dict]:
        """The ledger, newest first: the office sees every row, a unit's staff only rows on cases they see."""
        with self.core.uow(write=False) as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            if case_id is not None:
                check_case_visible(actor, repository.get_case(session, case_id), session)
            elif not actor.groups & OFFICE:
                raise NotAllowed("the supervision ledger is the office's")
            q = select(SupervisionEntry, Case).join(Case, Case.id == SupervisionEntry.case_id)
            if case_id is not None:
                q = q.where(SupervisionEntry.case_id == case_id)
            if method:
                q = q.where(SupervisionEntry.method == method)
            if unit:
                q = q.where(SupervisionEntry.unit == unit)
            if since:
                q = q.where(SupervisionEntry.acted_on >= _parse_day(since, "since"))
            if until:
                q = q.where(SupervisionEntry.acted_on <= _parse_day(until, "until"))
            rows = session.execute(q.order_by(SupervisionEntry.acted_on.desc(), SupervisionEntry.id.desc())
                                   .limit(5000)).all()
            names = Names(session)
            meetings = {m.id: m for m in session.scalars(select(SupervisionMeeting).where(
                SupervisionMeeting.id.in_({e.meeting_id for e, _ in rows if e.meeting_id})))}
            return [_entry_dict(e, c, names, meetings.get(e.meeting_id)) for e, c in rows]

    def ledger_xlsx(self, *, user: str, **filters) -> bytes:
        rows = self.entries(user=user, **filters)
        return workbook([Sheet("督办台账", COLUMNS, rows, title="督办台账")])

    def case_id_of(self, reg_no: str, *, user: str) -> int:
        """A case by its 信访件编号, as people name it (a meeting's minutes list cases so)."""
        with self.core.uow(write=False) as uow:
            case_id = uow.session.scalar(select(Case.id).where(Case.reg_no == reg_no.strip()[:40]))
            if case_id is None:
                raise ValidationFailed(f"no case numbered {reg_no!r}", [{"field": "decisions", "message": reg_no}])
            check_case_visible(self.core.actor(uow.session, user), repository.get_case(uow.session, case_id),
                               uow.session)
            return case_id

    def case_panel(self, case_id: int, *, user: str) -> dict:
        """What the case page shows: the case's ledger rows, and the acts this user may record
        towards which of the case's units (by name)."""
        entries = self.entries(user=user, case_id=case_id)
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            case = repository.get_case(uow.session, case_id)
            names = Names(uow.session)
            units = [(code, names.units(code)) for code in (case.unit or "").split(",") if code]
        methods = [m for m in CHASING + LEVERS if actor.groups & (DIRECTORS if m in LEVERS else CHASERS)]
        return {"entries": entries, "units": units, "methods": methods}


def _check_may(actor, method: str) -> None:
    allowed = DIRECTORS if method in LEVERS else CHASERS
    if not actor.groups & allowed:
        raise NotAllowed(f"{method} is recorded by " + ("the director" if method in LEVERS else "the office's staff"))


def _check_unit(session: Session, unit: str, case: Case) -> None:
    if not unit or session.get(Unit, unit) is None:
        raise ValidationFailed("choose the unit that was contacted", [{"field": "unit", "message": "unknown unit"}])


def _check_text(value, field: str, *, required: bool, most: int = 4000) -> None:
    if not isinstance(value, str) or len(value) > most or (required and not value.strip()):
        raise ValidationFailed(f"{field} is required (at most {most} characters)",
                               [{"field": field, "message": "required" if required else "too long"}])


def _parse_day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"{field} must be a date like 2026-03-02",
                               [{"field": field, "message": "not a date"}]) from None


def _day(value: str | None, now: datetime) -> date:
    """The day of the act: today unless given, never in the future."""
    if not value:
        return local_day(now)
    day = _parse_day(value, "acted_on")
    if day > local_day(now):
        raise ValidationFailed("the day of a supervision act cannot be in the future",
                               [{"field": "acted_on", "message": "in the future"}])
    return day


def _dated_step(session: Session, case: Case, unit: str, *, required: bool = True) -> HumanTask | None:
    """The unit's open step with a deadline: what a 督办函 chases (its letter prints that deadline)."""
    steps = list(session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "open",
                                                         HumanTask.kind == "bpmn", HumanTask.due_at.is_not(None))
                                 .order_by(HumanTask.due_at)))
    found = next((t for t in steps if unit in (t.unit or "").split(",")), None)
    if found is None and required:
        raise Conflict("this unit has no open step with a deadline in this case: there is nothing to chase by letter")
    return found


def _entry_dict(e: SupervisionEntry, case: Case, names: Names, meeting: SupervisionMeeting | None = None) -> dict:
    return {"id": e.id, "case_id": e.case_id, "reg_no": case.reg_no, "subject": case.subject or "",
            "method": e.method, "acted_on": e.acted_on.isoformat(), "actor": e.actor,
            "actor_name": names.person(e.actor), "unit": e.unit, "unit_name": names.units(e.unit) if e.unit else "",
            "outcome": e.outcome, "note": e.note, "document_id": e.document_id,
            "meeting": f"{meeting.kind}（{meeting.held_on.isoformat()}）{meeting.title}" if meeting else ""}
