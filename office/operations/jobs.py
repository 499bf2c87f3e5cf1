"""Long operations with progress: a `web_job` row the browser polls, work in a thread.

The row is the truth, so any worker process can answer a progress request.
"""
from __future__ import annotations

import csv
import io
import logging
import threading
import uuid
from datetime import datetime
from pathlib import Path

from engine.clock import utcnow
from engine.errors import Conflict, NotFound
from office.exports import csv_row
from office.operations.tables import Job

log = logging.getLogger(__name__)
from processes.due import chinese_last_day, chinese_standing, standing
EXPORT_COLUMNS = (("reg_no", "登记号"), ("subject", "事由"), ("petitioner", "信访人"), ("category", "类别"),
                  ("name", "当前环节"), ("unit_names", "承办单位"), ("assignee_name", "办理人"), ("due_at", "办理期限"),
                  ("days_left", "剩余或超期"))


def _deadline(item: dict, now: datetime) -> dict:
    """The deadline as its last day and the working days left or overdue (processes.due)."""
    if not item.get("due_at"):
        return {**item, "due_at": "", "days_left": ""}
    return {**item, "due_at": chinese_last_day(item["due_at"]),
            "days_left": chinese_standing(standing(item["due_at"], now))}


class Jobs:
    """Long operations whose progress the browser polls; results are kept under settings.storage_dir."""

    def __init__(self, core, inbox):
        self.core = core
        self.inbox = inbox

    @property
    def export_dir(self) -> Path:
        return Path(self.core.settings.storage_dir) / "exports"

    def start_inbox_export(self, *, user: str, filters: dict | None = None, wait: bool = False) -> dict:
        """A CSV of the user's inbox with these filters; returns the job to poll."""
        first = self.inbox.inbox(user=user, filters=filters, per_page=1, count=True)  # checks the filters and the user
        return self.start_job("inbox_export", user, first["total"], self._run_export, user, filters or {},
                              first["total"], wait=wait)

    def start_job(self, kind: str, user: str, total: int, work, *args, wait: bool = False) -> dict:
        """A job row, then `work(job_id, *args)` on a thread; the status to poll. `wait` (tests, CLI)
        returns once the work is done."""
        job = self._new_job(kind, user, total)
        worker = threading.Thread(target=work, args=(job["id"], *args), name=f"{kind}-{job['id']}", daemon=True)
        worker.start()
        if wait:
            worker.join()
        return self.job_status(job["id"], user=user)

    def _new_job(self, kind: str, user: str, total: int) -> dict:
        with self.core.uow() as uow:
            row = Job(id=uuid.uuid4().hex, kind=kind, owner=user, status="running", done=0, total=total,
                      message="", created_at=utcnow())
            uow.session.add(row)
            uow.commit()
            return _job_dict(row)

    def progress(self, job_id: str, **changes) -> None:
        with self.core.uow() as uow:
            row = uow.session.get(Job, job_id)
            for key, value in changes.items():
                setattr(row, key, value)
            uow.commit()

    def _run_export(self, job_id: str, user: str, filters: dict, counted: int) -> None:
        try:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(csv_row(title for _, title in EXPORT_COLUMNS))
            page, done = 1, 0
            while True:
                batch = self.inbox.inbox(user=user, filters=filters, page=page, per_page=200)
                for item in batch["items"]:
                    item = _deadline(item, utcnow())
                    writer.writerow(csv_row(item.get(key) if item.get(key) is not None else "" for key, _ in EXPORT_COLUMNS))
                done += len(batch["items"])
                # exact on the last page; before it the count (capped at 1000), or at least one more row
                self.progress(job_id, done=done, total=batch["total"] if not batch["more"] else max(counted, done + 1))
                if not batch["more"]:
                    break
                page += 1
            name = f"{job_id}.csv"
            self.export_dir.mkdir(parents=True, exist_ok=True)
            (self.export_dir / name).write_text("\ufeff" + out.getvalue(), encoding="utf-8")
            self.progress(job_id, status="done", result_name=name, finished_at=utcnow())
        except Exception as err:  # the job records the failure; the thread must not die silently
            log.exception("export %s failed", job_id)
            self.progress(job_id, status="failed", message=str(err)[:500], finished_at=utcnow())

    def job_status(self, job_id: str, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            row = uow.session.get(Job, job_id)
            if row is None or row.owner != user:
                raise NotFound(f"no job {job_id}")
            return _job_dict(row)

    def job_result(self, job_id: str, *, user: str) -> dict:
        """{path, filename} of a finished job's file."""
        job = self.job_status(job_id, user=user)
        if job["kind"] != "inbox_export":
            raise NotFound(f"job {job_id} has no CSV to download here")
        if job["status"] != "done":
            raise Conflict(f"job {job_id} is {job['status']}")
        return {"path": str(self.export_dir / f"{job_id}.csv"), "filename": f"inbox-{job_id[:8]}.csv"}


def _job_dict(row: Job) -> dict:
    percent = 100 if row.status == "done" else (int(100 * row.done / row.total) if row.total else 0)
    return {"id": row.id, "kind": row.kind, "status": row.status, "done": row.done, "total": row.total,
            "percent": percent, "message": row.message, "has_result": bool(row.result_name), "created_at": row.created_at.isoformat(),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None}
