"""Query codes (查询码): issued at registration, printed on the 回执 and the 受理告知书, re-issued
by the office when a petitioner lost theirs. Only the current code opens self-service."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.store.models import Case
from office.people.identity import Keys
from office.selfservice.tables import QueryCode

DIGITS = 8


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def issue(session: Session, keys: Keys, case: Case, *, by: str, now: datetime) -> str:
    """A new code for the case; any earlier one is revoked. The case row carries its hash."""
    return adopt(session, keys, case, f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}", by=by, now=now)


def adopt(session: Session, keys: Keys, case: Case, code: str, *, by: str, now: datetime) -> str:
    """`code` becomes the case's code (an online petitioner keeps the one given at submission)."""
    revoke(session, case.id, by=by, now=now)
    session.add(QueryCode(case_id=case.id, code_enc=keys.encrypt(code), code_hash=code_hash(code), issued_at=now,
                          issued_by=by[:64]))
    case.query_code_hash = code_hash(code)
    session.flush()
    return code


def revoke(session: Session, case_id: int, *, by: str, now: datetime) -> int:
    return session.execute(update(QueryCode).where(QueryCode.case_id == case_id, QueryCode.revoked_at.is_(None))
                           .values(revoked_at=now, revoked_by=by[:64])).rowcount


def current(session: Session, keys: Keys, case_id: int) -> str | None:
    """The code in force, decrypted (for a letter to the petitioner), or None."""
    token = session.scalar(select(QueryCode.code_enc).where(QueryCode.case_id == case_id,
                                                            QueryCode.revoked_at.is_(None))
                           .order_by(QueryCode.id.desc()).limit(1))
    return keys.decrypt(token) if token else None


class CodeIssuer:
    """The `query_codes` handler dependency: the registration step issues the first code."""

    def __init__(self, session: Session, keys: Keys, case: Case, now: datetime, actor: str):
        self.session, self.keys, self.case, self.now, self.actor = session, keys, case, now, actor

    def issue(self) -> str:
        return issue(self.session, self.keys, self.case, by=self.actor, now=self.now)

    def current(self) -> str | None:
        return current(self.session, self.keys, self.case.id)
