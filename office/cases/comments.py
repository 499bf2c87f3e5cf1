"""Comments on a case (or one of its tasks): the office's notes, beside the audit trail."""
from __future__ import annotations

from sqlalchemy import select

from engine.store import repository
from office.access import check_case_visible
from engine.clock import utcnow
from engine.errors import ValidationFailed
from engine.store.models import HumanTask
from office.cases.tables import CaseComment

MAX_COMMENT = 4000


class Comments:
    """The office's notes on a case or one of its tasks."""

    def __init__(self, core):
        self.core = core

    def add_comment(self, case_id: int, *, user: str, body: str, task_uuid: str | None = None) -> dict:
        body = (body or "").strip()
        if not body or len(body) > MAX_COMMENT:
            raise ValidationFailed(f"a comment needs 1 to {MAX_COMMENT} characters",
                                   [{"field": "body", "message": "required"}])
        with self.core.uow() as uow:
            session = uow.session
            check_case_visible(self.core.actor(session, user), repository.get_case(session, case_id), session)
            if task_uuid and not session.scalar(select(HumanTask.id).where(
                    HumanTask.case_id == case_id, HumanTask.task_uuid == task_uuid[:64])):
                raise ValidationFailed("the comment names a task this case does not have",
                                       [{"field": "task_id", "message": "unknown task"}])
            row = CaseComment(case_id=case_id, task_uuid=task_uuid, author=user, body=body, at=utcnow())
            uow.session.add(row)
            uow.commit()
            return comment_dict(row)

    def list_comments(self, case_id: int, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            session = uow.session
            check_case_visible(self.core.actor(session, user), repository.get_case(session, case_id), session)
            return comments_of(uow.session, case_id)


def comments_of(session, case_id: int) -> list[dict]:
    rows = session.scalars(select(CaseComment).where(CaseComment.case_id == case_id).order_by(CaseComment.id))
    return [comment_dict(r) for r in rows]


def comment_dict(row: CaseComment) -> dict:
    return {"id": row.id, "case_id": row.case_id, "task_id": row.task_uuid, "author": row.author,
            "body": row.body, "at": row.at.isoformat()}
