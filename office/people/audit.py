"""The access log: who opened, searched, exported or revealed what, and why (append-only)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.clock import utcnow
from office.people.tables import AccessLog


def log_access(session: Session, user: str, action: str, case_id: int | None, detail: str = "") -> None:
    """Written in the caller's transaction, so an opening that fails leaves no trace either."""
    session.add(AccessLog(at=utcnow(), username=user, action=action, case_id=case_id, detail=detail[:2000]))
