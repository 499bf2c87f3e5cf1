"""Lists of cases, as far as the asking actor may see them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import queries
from engine.store.models import Case
from office.access import Actor, case_scope


def cases(session: Session, actor: Actor, *, status: str | None, page: int, per_page: int,
          count: bool = False) -> dict:
    q = select(Case)
    if status:
        q = q.where(Case.status == status)
    q = q.where(*case_scope(actor))
    return queries.page_of(session, q.order_by(Case.id.desc()), page, per_page, queries.case_summary, count)
