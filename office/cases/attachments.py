"""Files attached to a case. Stored under settings.storage_dir/attachments with generated names;
the client's file name is only a label, and one that tries to name a path is refused."""
from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from sqlalchemy import select

from engine.store import repository
from office.access import check_case_visible
from engine.clock import utcnow
from engine.errors import NotFound, ValidationFailed
from office.cases.tables import Attachment

MAX_BYTES = 10 * 1024 * 1024
TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
         "txt": "text/plain", "ofd": "application/ofd",
         "doc": "application/msword", "xls": "application/vnd.ms-excel",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
MAGIC = {"pdf": (b"%PDF",), "png": (b"\x89PNG",), "jpg": (b"\xff\xd8",), "jpeg": (b"\xff\xd8",),
         "docx": (b"PK",), "xlsx": (b"PK",), "ofd": (b"PK",)}


def check_filename(filename: str) -> str:
    """The extension, lower case; path separators, '..' and control characters are refused."""
    name = filename or ""
    if (not name.strip() or "/" in name or "\\" in name or ".." in name or len(name) > 200
            or any(ord(c) < 32 for c in name)):
        raise ValidationFailed("invalid file name", [{"field": "file", "message": "invalid file name"}])
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        raise ValidationFailed(f"files of type .{ext or '?'} are not accepted; allowed: {', '.join(sorted(TYPES))}",
                               [{"field": "file", "message": "type not allowed"}])
    return ext


class Attachments:
    """Files on a case, stored under settings.storage_dir with generated names."""

    def __init__(self, core):
        self.core = core

    @property
    def attachment_dir(self) -> Path:
        return Path(self.core.settings.storage_dir) / "attachments"

    def add_attachment(self, case_id: int, *, user: str, filename: str, content: bytes,
                       task_uuid: str | None = None) -> dict:
        ext = check_filename(filename)
        limit = int(self.core.settings.extra.get("max_upload_bytes", MAX_BYTES))
        if not content or len(content) > limit:
            raise ValidationFailed(f"a file must have 1 byte to {limit // (1024 * 1024)} MB",
                                   [{"field": "file", "message": "size"}])
        if ext in MAGIC and not content.startswith(MAGIC[ext]):
            raise ValidationFailed(f"the file's content is not a .{ext} file",
                                   [{"field": "file", "message": "content does not match type"}])
        stored = f"{uuid.uuid4().hex}.{ext}"
        with self.core.uow() as uow:
            session = uow.session
            check_case_visible(self.core.actor(session, user), repository.get_case(session, case_id), session)
            self.attachment_dir.mkdir(parents=True, exist_ok=True)
            (self.attachment_dir / stored).write_bytes(content)
            row = Attachment(case_id=case_id, task_uuid=task_uuid, filename=filename.strip(), stored_name=stored,
                             content_type=TYPES[ext], size=len(content),
                             sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user, at=utcnow())
            uow.session.add(row)
            uow.commit()
            return attachment_dict(row)

    def get_attachment(self, attachment_id: int, *, user: str) -> dict:
        """Metadata plus `path` of the stored file, for the web edge to send."""
        with self.core.uow(write=False) as uow:
            row = uow.session.get(Attachment, attachment_id)
            if row is None:
                raise NotFound(f"no attachment {attachment_id}")
            session = uow.session
            check_case_visible(self.core.actor(session, user), repository.get_case(session, row.case_id), session)
            return {**attachment_dict(row), "path": str(self.attachment_dir / row.stored_name)}


def attachments_of(session, case_id: int) -> list[dict]:
    rows = session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id))
    return [attachment_dict(r) for r in rows]


def attachment_dict(row: Attachment) -> dict:
    return {"id": row.id, "case_id": row.case_id, "task_id": row.task_uuid, "filename": row.filename,
            "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
            "uploaded_by": row.uploaded_by, "at": row.at.isoformat()}
