"""Notices rendered from .docx templates (processes/templates/) with docxtpl.

The store writes into the step's own session, so a notice exists exactly when the step that
issued it committed. Templates are Word files an office can edit; their fields are Jinja tags.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from docxtpl import DocxTemplate
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from processes.notice_kinds import BY_KIND
from processes.notices import (CARRIES_QUERY_CODE, KINDS, TEMPLATES, NoticeIncomplete, check, chinese_date,
                               deadline_state)

from engine import projection
from engine.clock import utcnow
from engine.store import repository
from office.access import check_case_visible
from office.people.audit import log_access
from office.documents.tables import Document
from engine.errors import NotAllowed, NotFound, ValidationFailed
from engine.store.models import Case
from office.directory.names import Names, split_units

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIMETYPES = {".docx": DOCX, ".pdf": "application/pdf"}
RECEIVABLE = tuple(k for k in BY_KIND if not BY_KIND[k].issued_by_office)


@dataclass(frozen=True)
class DocumentRef:
    id: int
    kind: str
    filename: str


class NoticeRefused(ValidationFailed):
    """A notice was not issued because a required fact is missing (the case records why)."""

    def __init__(self, message: str, *, missing: list[str]):
        super().__init__(message)
        self.missing = missing


class DocumentStore:
    """`names()` decrypts the petitioners' names, only when a notice is addressed to them."""

    def __init__(self, session: Session, case: Case, now: datetime, *, office: str,
                 names: Callable[[], list[str]] = list, templates: Path = TEMPLATES, actor: str = "system",
                 query_code: Callable[[], str | None] = lambda: None):
        self.session, self.case, self.now, self.templates = session, case, now, templates
        self.office, self.names, self.actor, self.query_code = office, names, actor, query_code

    def unit_name(self, code: str | None) -> str:
        """The directory's name of a unit ("" for a code the directory lacks: a letter never
        prints a code); for a comma-joined list, each unit's name, joined."""
        names = Names(self.session)
        codes = split_units(code)
        if not codes or any(c not in names.unit_rows for c in codes):
            return ""
        return names.units(codes)

    def count(self, kind: str) -> int:
        """How many notices of a kind the case has (the 督办函's sequence is this + 1)."""
        return self.session.scalar(select(func.count(Document.id)).where(
            Document.case_id == self.case.id, Document.kind == kind)) or 0

    def render(self, kind: str, **context) -> DocumentRef:
        """Renders and stores a notice. Refuses (NoticeRefused, recorded on the case) a notice
        lacking a fact it must state. 督办函: `sequence` (or `count`) and `deadline` (the deadline
        instant, or `deadline_state`) — the state is worded as of the day it is issued."""
        if kind not in KINDS:
            raise ValidationFailed(f"no notice template {kind!r}; known: {', '.join(KINDS)}")
        context = self._normalise(kind, context)
        try:
            check(kind, context)
        except NoticeIncomplete as err:
            projection.record(self.session, self.case.id, "document_refused", actor=self.actor, at=self.now,
                              message=str(err), data={"kind": kind, "missing": err.missing})
            raise NoticeRefused(str(err), missing=err.missing) from err
        template = DocxTemplate(str(self.templates / f"{kind}.docx"))
        template.render({k: ("" if v is None else v) for k, v in context.items()}, autoescape=True)
        out = io.BytesIO()
        template.save(out)
        content = out.getvalue()
        filename = f"{context.get('reg_no') or self.case.reg_no or self.case.id}-{kind}.docx"
        row = Document(case_id=self.case.id, kind=kind, filename=filename, content=content,
                       sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                       created_at=self.now, created_by=self.actor)
        self.session.add(row)
        self.session.flush()
        return DocumentRef(row.id, kind, filename)


    def _normalise(self, kind: str, context: dict) -> dict:
        """Older keyword names (`unit_name`, `count`) and office defaults, so every caller's
        letter fills the same fields."""
        out = {k: ("" if v is None else v) for k, v in context.items()}
        out.setdefault("office", self.office)
        if BY_KIND[kind].issued_by_office:
            out.setdefault("signer", self.office)
        if kind in ("转送书", "交办函", "督办函") and not out.get("addressee"):
            out["addressee"] = out.get("unit_name", "")
        if kind == "督办函":
            out["sequence"] = out.get("sequence") or out.get("count") or ""
            if not out.get("deadline_state"):
                out["deadline_state"] = deadline_state(out.get("due_at") or out.get("deadline"), self.now)
        return out


def store_dependency(office: str, identities, query_code=lambda session, case_id: None):
    """The `documents` handler dependency: notices rendered in the step, signed by the office.
    `query_code(session, case_id)`: the petitioner's current code, for the letters that print it."""
    def store(session, case, now, actor: str = "system") -> DocumentStore:
        return DocumentStore(session, case, now, office=office,
                             names=lambda: identities.petitioner_names(session, case.id), actor=actor,
                             query_code=lambda: query_code(session, case.id))
    return store


def latest_of_kind(session: Session, case_id: int, kind: str) -> int | None:
    """The id of the case's newest notice of a kind (the 回执 to print after registering)."""
    return session.scalar(select(Document.id).where(Document.case_id == case_id, Document.kind == kind)
                          .order_by(Document.id.desc()).limit(1))


class Documents:
    """The notices of a case, as its readers may list and download them."""

    def __init__(self, core):
        self.core = core

    def list_documents(self, case_id: int, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            check_case_visible(actor, repository.get_case(session, case_id), session)
            rows = uow.session.execute(select(Document.id, Document.kind, Document.filename, Document.size,
                                              Document.created_at, Document.created_by)
                                       .where(Document.case_id == case_id)
                                       .order_by(Document.id)).all()
            names = Names(session)
            return [{"id": r.id, "kind": r.kind, "filename": r.filename, "size": r.size,
                     "created_at": r.created_at.isoformat(), "created_by": r.created_by,
                     "created_by_name": names.person(r.created_by)}
                    for r in rows if actor.meets_petitioners or r.kind not in CARRIES_QUERY_CODE]

    def record_received(self, case_id: int, *, kind: str, organ: str, received_on: date, filename: str,
                        content: bytes, user: str) -> dict:
        """不包办代替: an organ outside the system sends its own 处理意见书/延期告知书/复查意见书/复核意见书;
        the office files it as received from that organ on that date, never writes it itself."""
        if kind not in BY_KIND or BY_KIND[kind].issued_by_office:
            raise ValidationFailed(f"“{kind}”不是办理机关出具的文书；可登记收到的：{'、'.join(RECEIVABLE)}")
        suffix = Path(filename or "").suffix.lower()
        if suffix not in MIMETYPES or not content:
            raise ValidationFailed("请上传办理机关出具的文书（.docx 或 .pdf）")
        with self.core.uow() as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            case = repository.get_case(session, case_id)
            check_case_visible(actor, case, session)
            if not actor.is_office:
                raise NotAllowed("only the petition office files documents received from an organ")
            organ_name = Names(session).unit_rows.get(organ)
            if organ_name is None:
                raise ValidationFailed(f"目录中没有单位“{organ}”")
            now = utcnow()
            name = f"{case.reg_no or case.id}-{kind}（{organ_name.name}，{chinese_date(received_on)}收）{suffix}"
            row = Document(case_id=case_id, kind=kind, filename=name, content=content,
                           sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                           created_at=now, created_by=user)
            session.add(row)
            session.flush()
            projection.record(session, case_id, "document_received", actor=user, at=now,
                              message=f"收到{organ_name.name}出具的{kind}（{chinese_date(received_on)}）",
                              data={"document_id": row.id, "kind": kind, "organ": organ,
                                    "received_on": received_on.isoformat()})
            uow.commit()
            return {"id": row.id, "kind": kind, "filename": name}

    def get_document(self, case_id: int, document_id: int, *, user: str) -> tuple[str, bytes, str]:
        """(filename, content, mimetype); every download is in the access log."""
        with self.core.uow() as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            check_case_visible(actor, repository.get_case(session, case_id), session)
            row = uow.session.get(Document, document_id)
            if row is None or row.case_id != case_id:
                raise NotFound(f"no document {document_id} in case {case_id}")
            if row.kind in CARRIES_QUERY_CODE and not actor.meets_petitioners:
                raise NotAllowed("this letter carries the petitioner's query code: petition office staff only")
            log_access(uow.session, user, "download", case_id, f"document {row.id} {row.kind}")
            uow.commit()
            return row.filename, row.content, MIMETYPES.get(Path(row.filename).suffix.lower(), DOCX)
