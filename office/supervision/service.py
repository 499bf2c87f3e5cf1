"""Supervision's service: notifications for the people it concerns, and the reminders and
escalations (催办, 督办) the scheduler fires for overdue tasks, with their letters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.core import Core
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.projection import record
from engine.store import repository
from engine.store.models import Case, HumanTask
from office.access import check_case_visible
from office.directory.names import Names
from office.supervision import ladder, lookback, reminders
from office.supervision.tables import Notification, SupervisionListing
from processes.due import chinese_deadline, standing
from processes.ladders import SUPERVISION_DECISIONS


class Notifications:
    """In-app messages; the same rows are the outbox the notifier port delivers after commit."""

    def __init__(self, core: Core, notifier: reminders.Notifier):
        self.core = core
        self.notifier = notifier

    def deliver(self) -> int:
        """Pushes pending messages through the notifier (after each scheduler sweep)."""
        return reminders.deliver_pending(self.core.uow, self.notifier)

    def notifications(self, user: str, *, unread_only: bool = True, limit: int = 50) -> list[dict]:
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            q = select(Notification).where(or_(Notification.recipient_user == actor.username,
                                               Notification.recipient_group.in_(actor.groups or {""})))
            if unread_only:
                q = q.where(Notification.read_at.is_(None))
            rows = uow.session.scalars(q.order_by(Notification.id.desc()).limit(limit))
            return [{"id": n.id, "case_id": n.case_id, "kind": n.kind, "text": n.text,
                     "created_at": n.created_at.isoformat(), "read": n.read_at is not None}
                    for n in rows if self._may_see(uow.session, actor, n.case_id)]

    @staticmethod
    def _may_see(session, actor, case_id: int | None) -> bool:
        """A group message about a case reaches only members who may see that case
        (unit staff share one group; an accused unit never hears of the accusation)."""
        if case_id is None:
            return True
        try:
            check_case_visible(actor, repository.get_case(session, case_id), session)
        except (NotAllowed, NotFound):
            return False
        return True

    def mark_notifications_read(self, user: str, ids: list[int]) -> int:
        """Marks the user's own messages read. A message addressed to someone else, or to a group
        about a case the user may not see (another unit's), is refused as unknown (NotFound) and
        nothing is marked."""
        ids = sorted(set(ids))
        with self.core.uow() as uow:
            actor = self.core.actor(uow.session, user)
            rows = list(uow.session.scalars(select(Notification).where(
                Notification.id.in_(ids), or_(Notification.recipient_user == actor.username,
                                              Notification.recipient_group.in_(actor.groups or {""})))))
            mine = {n.id for n in rows if self._may_see(uow.session, actor, n.case_id)}
            unknown = [i for i in ids if i not in mine]
            if unknown:
                raise NotFound(f"no notification {', '.join(map(str, unknown[:10]))} for you")
            done = uow.session.execute(
                update(Notification).where(Notification.id.in_(sorted(mine)), Notification.read_at.is_(None))
                .values(read_at=utcnow())).rowcount
            uow.commit()
            return done


class Supervision:
    """督办: fires the reminder and escalation rows (timer kinds "reminder" and "escalation",
    the ladder of office/supervision/ladder.py), takes the director's supervision decisions and
    keeps the lists a case goes on (the leader's list, 挂牌督办)."""

    def __init__(self, core: Core, documents):
        self.core = core
        self.documents = documents       # (session, case, now, actor) -> DocumentStore

    def timer_kinds(self) -> dict:
        return {"reminder": self.fire, "escalation": self.fire, "lookback": lookback.fire}

    def fire(self, session: Session, timer_id: int, now: datetime) -> str | None:
        return reminders.fire(session, self.documents, timer_id, now)

    def decided(self, session: Session, task: HumanTask, user: str, data: dict, now: datetime) -> None:
        """The director closed a ladder's supervision task: 约谈 and 通报 are recorded on the case,
        挂牌督办 also puts the case on the office's list until lifted."""
        decision = data.get("decision")
        if decision not in SUPERVISION_DECISIONS:
            return                                  # an older 督办 task without the decision form
        actor = self.core.actor(session, user)
        if "director" not in actor.groups and "admin" not in actor.groups:
            raise NotAllowed("only the director decides on a summons, a circular or listed supervision")
        note = str(data.get("note") or "")
        if decision == "挂牌督办":
            ladder.put_on_list(session, task.case_id, "hanging", reason=note or task.name, actor=user, now=now, task=task)
        record(session, task.case_id, "supervision_decided", actor=user, at=now, message=f"{decision}：{note}",
               task_uuid=task.task_uuid, bpmn_id=task.bpmn_id, data={"decision": decision, "unit": task.unit})

    def listed(self, list_name: str, *, user: str, include_lifted: bool = False) -> list[dict]:
        """The leader's list ("leader": leaders and the director) or the 挂牌督办 list ("hanging":
        the whole office), with each case's step, unit, deadline and how it stands today."""
        if list_name not in LISTS:
            raise ValidationFailed(f"no supervision list {list_name!r}; known: {', '.join(LISTS)}")
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            if not actor.groups & LISTS[list_name]:
                raise NotAllowed(f"the {LIST_ENGLISH[list_name]} is not open to this user")
            q = (select(SupervisionListing, Case.reg_no, Case.subject)
                 .join(Case, Case.id == SupervisionListing.case_id)
                 .where(SupervisionListing.list_name == list_name))
            if not include_lifted:
                q = q.where(SupervisionListing.lifted_at.is_(None))
            rows = uow.session.execute(q.order_by(SupervisionListing.listed_at, SupervisionListing.id)).all()
            names, now = Names(uow.session), utcnow()
            return [_listing_dict(r, reg_no, subject, names, now) for r, reg_no, subject in rows]

    def lift(self, listing_id: int, *, user: str, note: str = "") -> dict:
        """撤牌 / off the leader's list: the director's act, recorded on the case."""
        with self.core.uow() as uow:
            actor = self.core.actor(uow.session, user)
            if "director" not in actor.groups and "admin" not in actor.groups:
                raise NotAllowed("only the director lifts a case off a supervision list")
            row = uow.session.get(SupervisionListing, listing_id)
            if row is None:
                raise NotFound(f"no supervision listing {listing_id}")
            if row.lifted_at is not None:
                raise Conflict("this listing was already lifted")
            now = utcnow()
            row.lifted_at, row.lifted_by = now, actor.username
            record(uow.session, row.case_id, "supervision_lifted", actor=actor.username, at=now,
                   message=f"撤出{LIST_NAMES[row.list_name]}：{note}", data={"listing": row.id, "list": row.list_name})
            result = _listing_dict(row, None, "", Names(uow.session), now)
            uow.commit()
            return result


LISTS = {"leader": frozenset({"leader", "director", "admin"}),
         "hanging": frozenset({"clerk", "director", "leader", "legal_advisor", "analyst", "admin"})}
LIST_NAMES = {"leader": "领导督办清单", "hanging": "挂牌督办清单"}
LIST_ENGLISH = {"leader": "leader's supervision list", "hanging": "listed-supervision list"}


def _listing_dict(row: SupervisionListing, reg_no, subject, names: Names, now: datetime) -> dict:
    state = standing(row.due_at, now) if row.due_at else None
    return {"id": row.id, "case_id": row.case_id, "reg_no": reg_no, "subject": subject,
            "list": row.list_name, "list_name": LIST_NAMES[row.list_name], "step": row.step_name,
            "unit": row.unit, "unit_name": names.units(row.unit) if row.unit else "",
            "due_at": row.due_at.isoformat() if row.due_at else None,
            "deadline": chinese_deadline(row.due_at, now) if row.due_at else "",
            "overdue": bool(state and state.overdue), "reason": row.reason,
            "listed_at": row.listed_at.isoformat(), "listed_by": names.person(row.listed_by),
            "lifted_at": row.lifted_at.isoformat() if row.lifted_at else None}
