"""Writing a notification: one home for who receives a message about a task or a case."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.store.models import HumanTask
from office.supervision.tables import Notification


def notify(session: Session, case_id: int, task: HumanTask | None, kind: str, text: str, now: datetime,
           *, group: str | None = None, user: str | None = None) -> None:
    """To `user`, else the task's assignee, else its first group, else `group`. In-app rows double
    as the outbox of the e-mail/SMS port (delivered after commit)."""
    if user is not None:
        group = None
    elif task is not None and task.assignee:
        user, group = task.assignee, None
    elif task is not None:
        user, group = None, (task.groups.split(",")[0] if task.groups else None)
    else:
        user = None
    session.add(Notification(case_id=case_id, task_uuid=task.task_uuid if task else None, kind=kind,
                             recipient_user=user, recipient_group=group, text=text, created_at=now,
                             delivery="pending", attempts=0))
