"""Service methods of the timer service: sweeps, moved deadlines, scheduler status, notifications."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from . import repository, scheduler
from .access import check_case_visible
from .clock import parse_instant, utcnow
from .errors import NotAllowed, NotFound, ValidationFailed
from .scheduling_tables import Notification
from .steps import Action


class TimerServices:
    def fire_due_timers(self, now: datetime | None = None, *, limit: int = 1000) -> int:
        """One sweep (what `xinfang timers fire-due` runs): everything due at `now`, oldest first."""
        result = scheduler.Scheduler(self, batch=limit).tick(now)
        return result.fired

    def change_deadline(self, case_id: int, name: str, due: str | datetime, *, user: str,
                        reason: str = "") -> dict:
        """Moves a named deadline: the waiting timers on it, the tasks due by it and their
        reminders and escalation, in one audited step (an approved extension, a correction)."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("a deadline name is required")
        try:
            instant = due if isinstance(due, datetime) else parse_instant(str(due))
        except (TypeError, ValueError):
            raise ValidationFailed(f"not an ISO 8601 date-time: {due!r}") from None
        with self.uow(write=False) as uow:
            actor = self._actor(uow.session, user)
            if not actor.is_supervisor:
                raise NotAllowed("only the director or an administrator can change a deadline")
            check_case_visible(actor, repository.get_case(uow.session, case_id), uow.session)
        data = {"name": name.strip(), "due": instant.isoformat(), "reason": str(reason)[:500]}
        return self._step(case_id, Action("deadline", user, data=data))

    def scheduler_status(self, now: datetime | None = None, *, user: str | None = None) -> dict:
        """Heartbeats, backlog and lateness: for /readyz, /metrics (no user: aggregates only)
        and the admin page (a user: directors and administrators)."""
        with self.uow(write=False) as uow:
            if user is not None and not self._actor(uow.session, user).is_supervisor:
                raise NotAllowed("only the director or an administrator can see the scheduler")
            return scheduler.status(uow.session, now or utcnow())

    def notifications(self, user: str, *, unread_only: bool = True, limit: int = 50) -> list[dict]:
        with self.uow(write=False) as uow:
            actor = self._actor(uow.session, user)
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
        with self.uow() as uow:
            actor = self._actor(uow.session, user)
            done = uow.session.execute(
                update(Notification).where(Notification.id.in_(ids), Notification.read_at.is_(None),
                                           or_(Notification.recipient_user == actor.username,
                                               Notification.recipient_group.in_(actor.groups or {""})))
                .values(read_at=utcnow())).rowcount
            uow.commit()
            return done
