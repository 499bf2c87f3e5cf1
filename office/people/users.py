"""User and group administration, part of the service API."""
from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from engine.store import repository
from engine.clock import utcnow
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.store.models import Unit, User, UserGroup
from office.access import check_not_reserved, is_reserved_name

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")


class Users:
    """Users, their groups and units: what sign-in and the actor of every step rest on."""

    def __init__(self, core):
        self.core = core

    def add_user(self, username: str, *, groups: list[str] | None = None, password: str | None = None,
                 display_name: str = "", unit: str | None = None) -> dict:
        if not _NAME.match(username or ""):
            raise ValidationFailed(f"invalid user name {username!r}: use 2-64 letters, digits, '_', '.' or '-'")
        check_not_reserved(username)
        groups = [g.strip() for g in (groups or []) if g and g.strip()]
        for g in groups:
            if not _NAME.match(g):
                raise ValidationFailed(f"invalid group name {g!r}")
        with self.core.uow() as uow:
            s = uow.session
            if repository.user_by_name(s, username) is not None:
                raise Conflict(f"user {username!r} already exists")
            if unit and s.get(Unit, unit) is None:
                s.add(Unit(code=unit, name=unit))
            user = User(username=username, display_name=display_name or username, unit_code=unit,
                        password_hash=generate_password_hash(password) if password else None,
                        created_at=utcnow(), is_active=True)
            for g in groups:
                repository.ensure_group(s, g)
            user.memberships = [UserGroup(group_name=g) for g in sorted(set(groups))]
            s.add(user)
            uow.commit()
            return user_dict(user)

    def get_user(self, username: str) -> dict:
        """A user account; a reserved name (system, scheduler…) is never one, even if a row bears it,
        so such a row can neither sign in nor act with the built-in actor's rights."""
        if is_reserved_name(username):
            raise NotFound(f"no user {username!r}")
        with self.core.uow(write=False) as uow:
            return user_dict(repository.require_user(uow.session, username))

    def session_user(self, username: str) -> dict | None:
        """The active user with the session generation its cookies must carry, for the web's
        user loader (one read per request); None when unknown or deactivated."""
        with self.core.uow(write=False) as uow:
            user = repository.user_by_name(uow.session, username)
            if user is None or not user.is_active:
                return None
            return {**user_dict(user), "session_generation": user.session_generation or 0}

    def end_sessions(self, username: str) -> None:
        """Signs the user out everywhere: every session cookie issued so far stops working."""
        with self.core.uow() as uow:
            user = repository.user_by_name(uow.session, username)
            if user is not None:
                end_sessions(user)
                uow.commit()

    def check_password(self, username: str, password: str) -> bool:
        if is_reserved_name(username):
            return False
        with self.core.uow(write=False) as uow:
            user = repository.user_by_name(uow.session, username)
            return bool(user and user.is_active and user.password_hash
                        and check_password_hash(user.password_hash, password))

    def add_unit(self, code: str, name: str, kind: str = "government") -> dict:
        with self.core.uow() as uow:
            unit = uow.session.get(Unit, code) or Unit(code=code, name=name, kind=kind)
            unit.name, unit.kind = name, kind
            uow.session.add(unit)
            uow.commit()
            return {"code": code, "name": name, "kind": kind}


def end_sessions(user: User) -> None:
    """A new session generation: cookies that carry an older one are refused."""
    user.session_generation = (user.session_generation or 0) + 1


def user_dict(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "groups": user.groups,
            "unit": user.unit_code, "active": user.is_active}
