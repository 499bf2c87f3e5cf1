"""Administration of users, groups and units beyond what `users.UserAdmin` offers."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from engine.store import repository
from office.access import check_admin
from engine.errors import NotFound, ValidationFailed
from office.people.audit import log_access
from office.people.tables import AccessLog
from engine.store.models import Group, Unit, User, UserGroup
from office.people.users import _NAME, end_sessions, user_dict

MIN_PASSWORD = 8


class Admin:
    """Administration of users, groups and units; every method checks that `user` is an administrator."""

    def __init__(self, core, users):
        self.core = core
        self.users = users

    def list_users(self, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            check_admin(self.core.actor(uow.session, user))
            return [user_dict(u) for u in uow.session.scalars(select(User).order_by(User.username))]

    def create_user(self, username: str, *, user: str, groups: list[str], password: str, display_name: str = "",
                    unit: str | None = None) -> dict:
        _check_password(password)
        with self.core.uow(write=False) as uow:
            check_admin(self.core.actor(uow.session, user))
            if unit and uow.session.get(Unit, unit) is None:
                raise ValidationFailed(f"no unit {unit!r}", [{"field": "unit", "message": "unknown unit"}])
        return self.users.add_user(username, groups=groups, password=password, display_name=display_name, unit=unit)

    def update_user(self, username: str, *, user: str, groups: list[str] | None = None, unit: str | None = None,
                    active: bool | None = None, password: str | None = None, display_name: str | None = None) -> dict:
        with self.core.uow() as uow:
            s = uow.session
            check_admin(self.core.actor(s, user))
            target = repository.user_by_name(s, username)
            if target is None:
                raise NotFound(f"no user {username!r}")
            if groups is not None:
                groups = sorted({g.strip() for g in groups if g and g.strip()})
                for g in groups:
                    if not _NAME.match(g):
                        raise ValidationFailed(f"invalid group name {g!r}", [{"field": "groups", "message": "invalid"}])
                    repository.ensure_group(s, g)
                target.memberships = [UserGroup(group_name=g) for g in groups]
            if unit is not None:
                if unit and s.get(Unit, unit) is None:
                    raise ValidationFailed(f"no unit {unit!r}", [{"field": "unit", "message": "unknown unit"}])
                target.unit_code = unit or None
            if active is not None:
                if username == user and not active:
                    raise ValidationFailed("you cannot deactivate yourself")
                if target.is_active and not active:
                    end_sessions(target)
                target.is_active = active
            if password:
                _check_password(password)
                target.password_hash = generate_password_hash(password)
                end_sessions(target)
            if display_name is not None:
                target.display_name = display_name.strip()[:200] or username
            uow.commit()
            return user_dict(target)

    def list_groups(self, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            check_admin(self.core.actor(uow.session, user))
            counts: dict[str, int] = {}
            for name in uow.session.scalars(select(UserGroup.group_name)):
                counts[name] = counts.get(name, 0) + 1
            return [{"name": g.name, "title": g.title, "members": counts.get(g.name, 0)}
                    for g in uow.session.scalars(select(Group).order_by(Group.name))]

    def save_group(self, name: str, title: str, *, user: str) -> dict:
        if not _NAME.match(name or ""):
            raise ValidationFailed(f"invalid group name {name!r}", [{"field": "name", "message": "invalid"}])
        with self.core.uow() as uow:
            check_admin(self.core.actor(uow.session, user))
            group = repository.ensure_group(uow.session, name)
            group.title = (title or name).strip()[:200]
            uow.commit()
            return {"name": group.name, "title": group.title}

    def list_units(self, *, user: str | None = None) -> list[dict]:
        with self.core.uow(write=False) as uow:
            if user is not None:
                self.core.actor(uow.session, user)
            return [{"code": u.code, "name": u.name, "kind": u.kind}
                    for u in uow.session.scalars(select(Unit).order_by(Unit.code))]

    def save_unit(self, code: str, name: str, kind: str = "government", *, user: str) -> dict:
        if not _NAME.match(code or "") or not (name or "").strip():
            raise ValidationFailed("a unit needs a code (letters, digits, _ . -) and a name",
                                   [{"field": "code", "message": "invalid"}])
        with self.core.uow(write=False) as uow:
            check_admin(self.core.actor(uow.session, user))
        return self.users.add_unit(code, name.strip()[:200], (kind or "government")[:32])


def _check_password(password: str | None) -> None:
    if not password or len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"a password needs at least {MIN_PASSWORD} characters",
                               [{"field": "password", "message": "too short"}])


class AccessLogs:
    """Reading the append-only access log (administrators only; nothing in the app edits it)."""

    def __init__(self, core):
        self.core = core

    def record_export(self, who: str, detail: str) -> None:
        """A whole-database export is an access to every case: it goes in the access log."""
        with self.core.uow() as uow:
            log_access(uow.session, who[:64], "export", None, detail)
            uow.commit()

    def access_log(self, *, user: str, username: str = "", case_id: int | None = None,
                   since: datetime | None = None, until: datetime | None = None, limit: int = 200) -> list[dict]:
        with self.core.uow(write=False) as uow:
            check_admin(self.core.actor(uow.session, user))
            q = select(AccessLog)
            if username:
                q = q.where(AccessLog.username == username)
            if case_id is not None:
                q = q.where(AccessLog.case_id == case_id)
            if since is not None:
                q = q.where(AccessLog.at >= since)
            if until is not None:
                q = q.where(AccessLog.at < until)
            rows = uow.session.scalars(q.order_by(AccessLog.id.desc()).limit(max(1, min(limit, 1000))))
            return [{"id": r.id, "at": r.at.isoformat(), "username": r.username, "action": r.action,
                     "case_id": r.case_id, "detail": r.detail} for r in rows]
