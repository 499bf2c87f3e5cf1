"""网上信访: the petitioner submits online (no account); the office checks it (登记审核) and then
registers it, so the normal triage follows, or returns it with a reason the petitioner reads in
self-service. The petitioner keeps one number and one query code throughout: once registered, the
case adopts the submission's code and the submission's number still opens it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine.clock import utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.store import repository
from office.dates import local_time
from office.intake.service import CONTENT_CLASSES
from office.online.checks import MAX_FILE_BYTES, Upload, check_submission
from office.online.tables import OnlineFile, OnlineSubmission
from office.people.audit import log_access
from office.selfservice import codes
from office.selfservice.codes import code_hash

CHANNEL, SOURCE = "网信", "本人提出"
STATES = {"pending": "待登记审核", "registering": "待登记审核", "registered": "已登记", "returned": "已退回"}


def _body_hash(form: dict, files: list[Upload]) -> str:
    digest = hashlib.sha256(json.dumps(form, sort_keys=True, ensure_ascii=False, default=str).encode())
    for upload in files:
        digest.update(hashlib.sha256(upload.content).digest())
    return digest.hexdigest()


class OnlinePetitions:
    """Submission (public), 登记审核 (office) and the petitioner's view of a submission."""

    def __init__(self, core, identities, intake, attachments):
        self.core = core
        self.identities = identities
        self.intake = intake
        self.attachments = attachments

    @property
    def file_dir(self) -> Path:
        return Path(self.core.settings.storage_dir) / "online"

    def id_key(self, id_number: str) -> str:
        """The keyed hash a rate limit counts by, so no store ever holds the ID number itself."""
        return self.identities.keys.digest(id_number or "")[:32]

    # -- the petitioner ------------------------------------------------------------------
    @staticmethod
    def regions(text: str, limit: int = 20) -> list[dict]:
        """Regions by name, for the public page's picker (no sign-in: the list is public)."""
        from office.directory import regions
        return [r.as_dict() for r in regions.search(str(text or "")[:50], limit)]

    def submit(self, form: dict, files: list[Upload] | None = None, *, idempotency_key: str = "") -> dict:
        """201's body: {number, query_code, state}. The same idempotency key with the same content
        gives the same answer (a double click registers nothing twice); with other content, 409."""
        files = list(files or [])
        key = (idempotency_key or "").strip()[:100] or None
        limit = int(self.core.settings.extra.get("online_max_file_bytes", MAX_FILE_BYTES))
        cleaned, checked = check_submission(form if isinstance(form, dict) else {}, files, file_limit=limit)
        body = _body_hash(cleaned, files)
        if key:
            earlier = self._by_key(key, body)
            if earlier:
                return earlier
        keys = self.identities.keys
        code = f"{secrets.randbelow(10 ** codes.DIGITS):0{codes.DIGITS}d}"
        now = utcnow()
        stored = []
        try:
            with self.core.uow() as uow:
                row = OnlineSubmission(number=uuid.uuid4().hex[:20], state="pending",
                                       form_enc=keys.encrypt(json.dumps(cleaned, ensure_ascii=False)),
                                       id_number_hash=keys.digest(cleaned["id_number"]), code_enc=keys.encrypt(code),
                                       code_hash=code_hash(code), idempotency_key=key, body_hash=body,
                                       submitted_at=now)
                uow.session.add(row)
                uow.session.flush()
                row.number = f"WX{local_time(now):%Y%m%d}{row.id:06d}"
                self.file_dir.mkdir(parents=True, exist_ok=True)
                for upload, ext, kind in checked:
                    name = f"{uuid.uuid4().hex}.{ext}"
                    (self.file_dir / name).write_bytes(upload.content)
                    stored.append(name)
                    uow.session.add(OnlineFile(submission_id=row.id, filename=upload.filename.strip()[:200],
                                               stored_name=name, content_type=kind, size=len(upload.content)))
                uow.commit()
                number = row.number
        except IntegrityError:              # the same key, sent twice at once: the first one answers
            for name in stored:
                (self.file_dir / name).unlink(missing_ok=True)
            earlier = self._by_key(key, body) if key else None
            if earlier is None:
                raise
            return earlier
        return {"number": number, "query_code": code, "state": "pending", "state_label": STATES["pending"]}

    def _by_key(self, key: str, body: str) -> dict | None:
        with self.core.uow(write=False) as uow:
            row = uow.session.scalar(select(OnlineSubmission).where(OnlineSubmission.idempotency_key == key))
            if row is None:
                return None
            if not hmac.compare_digest(row.body_hash, body):
                raise Conflict("此幂等键已用于另一份信访 (this Idempotency-Key was used for different content)")
            return {"number": row.number, "query_code": self.identities.keys.decrypt(row.code_enc),
                    "state": row.state, "state_label": STATES[row.state]}

    def match(self, session, number: str, code: str) -> OnlineSubmission | None:
        """The submission with this number and code (self-service), else None."""
        number = (number or "").strip()
        if not number.startswith("WX") or not code:
            return None
        row = session.scalar(select(OnlineSubmission).where(OnlineSubmission.number == number[:40]))
        if row is None or not hmac.compare_digest(row.code_hash, code_hash(code)):
            return None
        return row

    # -- the office: 登记审核 --------------------------------------------------------------
    def _office(self, session, user: str):
        actor = self.core.actor(session, user)
        if not actor.is_office:
            raise NotAllowed("only the petition office checks online petitions")
        return actor

    def pending(self, *, user: str) -> list[dict]:
        """The inbox of online petitions awaiting 登记审核, oldest first (names masked)."""
        from processes.masking import mask_name
        with self.core.uow(write=False) as uow:
            self._office(uow.session, user)
            rows = uow.session.scalars(select(OnlineSubmission).where(OnlineSubmission.state == "pending")
                                       .order_by(OnlineSubmission.submitted_at)).all()
            keys = self.identities.keys
            out = []
            for row in rows:
                form = json.loads(keys.decrypt(row.form_enc))
                out.append({"id": row.id, "number": row.number, "submitted_at": row.submitted_at.isoformat(),
                            "subject": form["subject"], "petitioner": mask_name(form["name"]),
                            "purpose": form["purpose"], "region": form["region_text"]})
            return out

    def pending_count(self, *, user: str) -> int:
        try:
            return len(self.pending(user=user))
        except NotAllowed:
            return 0

    def detail(self, submission_id: int, *, user: str, purpose: str = "登记审核") -> dict:
        """Everything the petitioner sent, decrypted for the clerk; the opening is logged."""
        with self.core.uow() as uow:
            self._office(uow.session, user)
            row = self._row(uow.session, submission_id)
            files = uow.session.scalars(select(OnlineFile).where(OnlineFile.submission_id == row.id)
                                        .order_by(OnlineFile.id)).all()
            form = json.loads(self.identities.keys.decrypt(row.form_enc))
            log_access(uow.session, user, "online", row.case_id, f"{row.number} {purpose}")
            uow.commit()
            return {"id": row.id, "number": row.number, "state": row.state, "state_label": STATES[row.state],
                    "submitted_at": row.submitted_at.isoformat(), "form": form, "case_id": row.case_id,
                    "return_reason": row.return_reason, "reviewed_by": row.reviewed_by,
                    "files": [{"id": f.id, "filename": f.filename, "content_type": f.content_type, "size": f.size}
                              for f in files]}

    def file(self, file_id: int, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            self._office(uow.session, user)
            row = uow.session.get(OnlineFile, file_id)
            if row is None:
                raise NotFound(f"no online attachment {file_id}")
            return {"filename": row.filename, "content_type": row.content_type,
                    "path": str(self.file_dir / row.stored_name)}

    @staticmethod
    def _row(session, submission_id: int) -> OnlineSubmission:
        row = session.get(OnlineSubmission, submission_id)
        if row is None:
            raise NotFound(f"no online petition {submission_id}")
        return row

    def _take(self, submission_id: int, user: str) -> None:
        """Only one clerk acts on a pending submission (two clicks never make two cases)."""
        with self.core.uow() as uow:
            self._office(uow.session, user)
            self._row(uow.session, submission_id)
            taken = uow.session.execute(update(OnlineSubmission).where(
                OnlineSubmission.id == submission_id, OnlineSubmission.state == "pending")
                .values(state="registering", reviewed_by=user[:64])).rowcount
            if not taken:
                raise Conflict("这件网上信访已审核过（已登记或已退回）")
            uow.commit()

    def register(self, submission_id: int, *, user: str, content_class: str, **flags) -> dict:
        """登记: the case starts with 来源 本人提出 and 信访形式 网信, the files are attached and the
        petitioner's code carries over; the normal triage follows."""
        if content_class not in CONTENT_CLASSES:
            raise ValidationFailed("请选择内容分类", [{"field": "content_class", "message": "请选择内容分类"}])
        self._take(submission_id, user)
        try:
            detail = self.detail(submission_id, user=user, purpose="登记")
            form = detail["form"]
            intake = {"channel": CHANNEL, "source": SOURCE, "subject": form["subject"], "content": form["content"],
                      "purpose": form["purpose"], "content_class": content_class, "problem_region": form["region"],
                      "petitioners": [{k: form[k] for k in ("name", "id_number", "phone", "address")}],
                      **{k: bool(v) for k, v in flags.items()}}
            case = self.intake.register_petition(intake, user=user)
        except Exception:
            self._release(submission_id)
            raise
        for f in detail["files"]:
            stored = self.file(f["id"], user=user)
            ext = "pdf" if f["content_type"] == "application/pdf" else f["content_type"].split("/")[1]
            stem = f["filename"].rsplit(".", 1)[0] or "附件"
            self.attachments.add_attachment(case["id"], user=user, filename=f"{stem}.{ext}",
                                            content=Path(stored["path"]).read_bytes())
        now = utcnow()
        with self.core.uow() as uow:
            row = self._row(uow.session, submission_id)
            kase = repository.get_case(uow.session, case["id"])
            codes.adopt(uow.session, self.identities.keys, kase, self.identities.keys.decrypt(row.code_enc),
                        by=user, now=now)
            row.state, row.case_id, row.reviewed_at = "registered", case["id"], now
            uow.commit()
        return {"submission": submission_id, "number": detail["number"], "case_id": case["id"],
                "reg_no": case.get("reg_no")}

    def _release(self, submission_id: int) -> None:
        with self.core.uow() as uow:
            uow.session.execute(update(OnlineSubmission).where(OnlineSubmission.id == submission_id,
                                                               OnlineSubmission.state == "registering")
                                .values(state="pending", reviewed_by=None))
            uow.commit()

    def return_submission(self, submission_id: int, *, user: str, reason: str) -> dict:
        """退回: not registered; the petitioner reads the reason with their number and code."""
        reason = (reason or "").strip()
        if not reason or len(reason) > 2000:
            raise ValidationFailed("请写明退回理由（信访人可以看到）", [{"field": "reason", "message": "请写明退回理由"}])
        self._take(submission_id, user)
        with self.core.uow() as uow:
            row = self._row(uow.session, submission_id)
            row.state, row.return_reason, row.reviewed_at = "returned", reason, utcnow()
            uow.commit()
            return {"submission": submission_id, "number": row.number, "state": "returned"}


def public_view(row: OnlineSubmission) -> dict:
    """What the petitioner sees of a submission not (or not yet) registered."""
    step = "online_returned" if row.state == "returned" else "online_review"
    return {"reg_no": row.number, "status": "online", "stage": STATES[row.state], "step": step,
            "route": None, "received_at": row.submitted_at.isoformat(),
            "completed_at": row.reviewed_at.isoformat() if row.reviewed_at and row.state == "returned" else None,
            "reply": None, "review": None, "rating": None, "review_requested": False, "windows": [],
            "can_evaluate": False, "can_request_review": False, "can_request_recheck": False,
            "return_reason": row.return_reason if row.state == "returned" else None}
