"""Supervision's service: notifications for the people it concerns, and the reminders and
escalations (催办, 督办) the scheduler fires for overdue tasks, with their letters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.clock import utcnow
from engine.core import Core
from engine.errors import NotAllowed, NotFound
from engine.store import repository
from office.access import check_case_visible
from office.supervision import reminders
from office.supervision.tables import Notification


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
    """Fires the reminder and escalation rows of overdue tasks (timer kinds "reminder" and
    "escalation"); an escalation also issues the 督办函 through the documents dependency."""

    def __init__(self, core: Core, documents):
        self.core = core
        self.documents = documents       # (session, case, now, actor) -> DocumentStore

    def timer_kinds(self) -> dict:
        return {"reminder": self.fire, "escalation": self.fire}

    def fire(self, session: Session, timer_id: int, now: datetime) -> str | None:
        return reminders.fire(session, self.documents, timer_id, now)
