"""Users imported from a CSV file: the whole file is checked first, then every user is created in
one transaction, so a file with any error creates nobody.

Columns (header row, any order): username, display_name, groups (separated by ;), unit (code or
empty), password (empty: a random one is generated and given back once).
"""
from __future__ import annotations

import csv
import io
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from office.access import check_admin
from office.access import ROLES, is_reserved_name
from office.exports import csv_row
from office.people.admin import MIN_PASSWORD
from engine.clock import utcnow
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.store.models import Group, Unit, User, UserGroup
from office.people.users import _NAME

log = logging.getLogger(__name__)
COLUMNS = ("username", "display_name", "groups", "unit", "password")
REQUIRED = ("username", "groups")
KIND = "user_import"
MAX_BYTES = 1_000_000
MAX_ROWS = 5000
MAX_ERRORS = 100
MAX_PASSWORD = 256
MAX_DISPLAY_NAME = 200
# Letters and digits only, without look-alikes (0/O, 1/l/I): read off a sheet, and never taken for an
# Excel formula as a password starting with '-' or '=' would be.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14
Progress = Callable[[int, int], None]


@dataclass
class Row:
    """One user line of the file, as checked."""

    line: int
    username: str
    display_name: str
    groups: list[str]
    unit: str | None
    password: str
    generated: bool = False
    password_hash: str = field(default="", repr=False)


def read_rows(content: bytes) -> tuple[list[Row], list[dict]]:
    """Rows and line-numbered errors of the file's own content (nothing from the database yet)."""
    if len(content) > MAX_BYTES:
        return [], [_error(0, f"the file is larger than {MAX_BYTES // 1000} kB")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return [], [_error(0, f"the file is not UTF-8 (byte {err.start}); save it as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _parse(reader)
    except csv.Error as err:
        return [], [_error(reader.line_num, f"not a readable CSV file: {err}")]


def _parse(reader) -> tuple[list[Row], list[dict]]:
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
                ([f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        return [], [_error(1, "; ".join(parts) + f" (columns: {', '.join(COLUMNS)})")]
    rows, errors, seen = [], [], {}
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row, problems = _row(reader.line_num, dict(zip(header, values)), len(values) > len(header))
        if row.username in seen:
            problems.append(f"user name {row.username!r} is repeated (first on line {seen[row.username]})")
        seen.setdefault(row.username, row.line)
        errors += [_error(row.line, p) for p in problems]
        rows.append(row)
    if not rows and not errors:
        errors.append(_error(1, "the file has no users"))
    if len(rows) > MAX_ROWS:
        errors.append(_error(0, f"at most {MAX_ROWS} users per file"))
    return rows, errors


def _row(line: int, cells: dict[str, str], extra: bool) -> tuple[Row, list[str]]:
    get = lambda key: (cells.get(key) or "").strip()      # noqa: E731
    groups = sorted({g.strip() for g in get("groups").replace("；", ";").split(";") if g.strip()})
    password = cells.get("password") or ""
    row = Row(line, get("username"), get("display_name"), groups, get("unit") or None, password)
    problems = ["more cells than columns"] if extra else []
    if not _NAME.match(row.username):
        problems.append(f"invalid user name {row.username!r}: use 2-64 letters, digits, '_', '.' or '-'")
    elif is_reserved_name(row.username):
        problems.append(f"user name {row.username!r} is reserved for the system's own actors")
    if len(row.display_name) > MAX_DISPLAY_NAME:
        problems.append(f"display name longer than {MAX_DISPLAY_NAME} characters")
    if not groups:
        problems.append("no group: give at least one, e.g. clerk or unit_staff")
    if password and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problems.append(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return row, problems


def check_against(session, rows: list[Row]) -> list[dict]:
    """What the database says about the rows: unknown groups and units, user names already taken."""
    known_groups = set(ROLES) | set(session.scalars(select(Group.name)))
    units = set(session.scalars(select(Unit.code)))
    names = [r.username for r in rows if _NAME.match(r.username)]      # no stray bytes reach the query
    taken = set()
    for start in range(0, len(names), 500):
        taken |= set(session.scalars(select(User.username).where(User.username.in_(names[start:start + 500]))))
    errors = []
    for row in rows:
        errors += [_error(row.line, f"unknown group {g!r}") for g in row.groups if g not in known_groups]
        if row.unit and row.unit not in units:
            errors.append(_error(row.line, f"unknown unit {row.unit!r} (give a unit code, or leave it empty)"))
        if row.username in taken:
            errors.append(_error(row.line, f"user {row.username!r} already exists"))
    return errors


def _error(line: int, message: str) -> dict:
    return {"line": line, "message": message}


def error_text(errors: list[dict]) -> str:
    """One error a line, in file order; the first MAX_ERRORS only."""
    shown = sorted(errors, key=lambda e: e["line"])[:MAX_ERRORS]
    lines = [f"line {e['line']}: {e['message']}" if e["line"] else e["message"] for e in shown]
    if len(errors) > MAX_ERRORS:
        lines.append(f"… and {len(errors) - MAX_ERRORS} more")
    return "\n".join(lines)


def random_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(GENERATED_LENGTH))


def passwords_csv(generated: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(["username", "password"]))
    writer.writerows(csv_row([p["username"], p["password"]]) for p in generated)
    return "\ufeff" + out.getvalue()


class UserImport:
    """Users from a CSV file, for administrators; a large file runs as a job (office/operations/jobs.py)."""

    def __init__(self, core, jobs):
        self.core = core
        self.jobs = jobs

    def import_users(self, content: bytes, *, user: str | None, progress: Progress | None = None) -> dict:
        """Creates every user of the file or none. `user` None is the operator at the command line,
        who may add users anyway (`xinfang users add`); any other caller must be an administrator.
        Returns the created users and the generated passwords (shown this once)."""
        rows = self._checked_rows(content, user)
        for done, row in enumerate(rows, 1):    # hashing is the slow part: before the transaction
            if not row.password:
                row.password, row.generated = random_password(), True
            row.password_hash = generate_password_hash(row.password)
            if progress:
                progress(done, len(rows))
        self._create(rows)
        return {"created": [r.username for r in rows],
                "generated_passwords": [{"username": r.username, "password": r.password} for r in rows if r.generated]}

    def _checked_rows(self, content: bytes, user: str | None) -> list[Row]:
        with self.core.uow(write=False) as uow:
            if user is not None:
                check_admin(self.core.actor(uow.session, user))
            rows, errors = read_rows(content)
            errors += check_against(uow.session, rows)      # every problem of the file at once
        if errors:
            raise ValidationFailed(f"the file has {len(errors)} error(s); nobody was created:\n{error_text(errors)}",
                                   errors)
        return rows

    def _create(self, rows: list[Row]) -> None:
        with self.core.uow() as uow:
            s = uow.session
            if check_against(s, rows):      # someone added one of these users meanwhile
                raise Conflict("the users or units changed during the import; nobody was created, try again")
            for group in sorted({g for r in rows for g in r.groups}):
                if s.get(Group, group) is None:
                    s.add(Group(name=group, title=group))
            s.flush()
            now = utcnow()
            for r in rows:
                s.add(User(username=r.username, display_name=r.display_name or r.username, unit_code=r.unit,
                           password_hash=r.password_hash, created_at=now, is_active=True,
                           memberships=[UserGroup(group_name=g) for g in r.groups]))
            uow.commit()

    # -- as a background job the admin page polls -----------------------------------------------------
    def start_user_import(self, content: bytes, *, user: str, wait: bool = False) -> dict:
        """Refuses non-administrators at once; everything else is reported by the job."""
        with self.core.uow(write=False) as uow:
            check_admin(self.core.actor(uow.session, user))
        rows, _ = read_rows(content)
        return self.jobs.start_job(KIND, user, len(rows), self._run_user_import, user, content, wait=wait)

    def _run_user_import(self, job_id: str, user: str, content: bytes) -> None:
        def progress(done: int, total: int) -> None:      # about a hundred writes, however long the file
            if done == total or done % max(1, total // 100) == 0:
                self.jobs.progress(job_id, done=done, total=total)
        try:
            result = self.import_users(content, user=user, progress=progress)
            generated = len(result["generated_passwords"])
            name = None
            if generated:
                name = f"{job_id}-passwords.csv"
                self.jobs.export_dir.mkdir(parents=True, exist_ok=True)
                (self.jobs.export_dir / name).write_text(passwords_csv(result["generated_passwords"]), encoding="utf-8")
            self.jobs.progress(job_id, status="done", result_name=name, finished_at=utcnow(),
                           message=f"created {len(result['created'])} users; {generated} passwords generated")
        except Exception as err:  # the job records the failure; the thread must not die silently
            if not isinstance(err, (ValidationFailed, Conflict)):
                log.exception("user import %s failed", job_id)
            self.jobs.progress(job_id, status="failed", message=str(err)[:20000], finished_at=utcnow())

    def take_import_passwords(self, job_id: str, *, user: str) -> str:
        """The generated passwords of a finished import, as CSV, once: the file is deleted as it is read."""
        job = self.jobs.job_status(job_id, user=user)
        path = self.jobs.export_dir / f"{job_id}-passwords.csv"
        if job["kind"] != KIND or job["status"] != "done" or not Path(path).exists():
            raise NotFound(f"no passwords to download for job {job_id} (they are given out once)")
        text = path.read_text(encoding="utf-8")
        path.unlink()
        return text
