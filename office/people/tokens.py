"""Sign-in and API tokens for integrations. Their rate limits live at the web edge (webui/limits.py,
Flask-Limiter); TooManyAttempts is how a refused attempt is reported everywhere."""
from __future__ import annotations

import hashlib
import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from engine.clock import utcnow
from engine.errors import NotAllowed, NotFound, ValidationFailed
from engine.store.models import User, UserGroup
from engine.store.notices import Listener
from engine.store.unit_of_work import begin_request
from office.access import is_reserved_name
from office.people.tables import ApiToken

TOKEN_PREFIX = "xft_"
# Changes to these tables send a notice on this channel (migration 0026_auth_change_notices).
AUTH_CHANNEL = "xinfang_auth"
AUTH_TABLES = ("api_token", "app_user", "user_group")
AUTH_QUIET = ("last_used_at",)     # a token's last use changes nothing a kept user holds


class TooManyAttempts(NotAllowed):
    """Too many attempts in the window; the web edge answers 429 and says when it frees.
    `retry_after`: seconds until another attempt is allowed (a rate limiter supplies the same)."""

    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class TokenUser:
    """What a token resolves to: its row id, its user (as get_user gives it) and its last use."""
    token_id: int
    user: dict
    last_used_at: datetime | None


class TokenCache:
    """The users of bearer tokens seen lately, for a few seconds, on PostgreSQL. Reading the token
    (a join of three tables, one statement per API request) was a fifth of a request pattern's
    statements. An entry holds only while the notice listener's epoch is the one taken before its
    rows were read: any change to tokens, users or memberships, by any process, ends every entry
    at once; so does a lost listener, until it hears itself again. `max_age` bounds an entry
    however quiet the channel. Refused tokens are never kept."""

    MAX_ENTRIES = 4096

    def __init__(self, listener: Listener, max_age: float, clock=time.monotonic):
        self.listener, self.max_age, self.clock = listener, max_age, clock
        self._entries: dict[str, tuple[int, float, TokenUser]] = {}
        self._lock = threading.Lock()

    def epoch(self) -> int | None:
        """Take before reading the rows that `put` will keep; None: keep nothing now."""
        return self.listener.epoch()

    def get(self, key: str) -> TokenUser | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        epoch, stored_at, found = entry
        if epoch != self.listener.epoch() or self.clock() - stored_at > self.max_age:
            with self._lock:
                self._entries.pop(key, None)
            return None
        return found

    def put(self, key: str, epoch: int, found: TokenUser) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))       # the oldest
            self._entries[key] = (epoch, self.clock(), found)

    def close(self) -> None:
        self.listener.close()
        with self._lock:
            self._entries.clear()


class Auth:
    """Sign-in, and API tokens for integrations."""

    def __init__(self, core, users, cache: TokenCache | None = None):
        self.core = core
        self.users = users
        self.cache = cache

    # -- sign-in ----------------------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> dict | None:
        """The user, or None for a wrong name/password. Attempts are limited at the web edge
        (webui/limits.py), before this check runs."""
        if not self.users.check_password(username, password):
            return None
        return self.users.get_user(username)

    # -- API tokens -------------------------------------------------------------------------
    def create_api_token(self, *, user: str, name: str) -> dict:
        """The token is in this result only; the database keeps its SHA-256."""
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise ValidationFailed("a token needs a name (at most 100 characters)",
                                   [{"field": "name", "message": "required"}])
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.core.uow() as uow:
            self.core.actor(uow.session, user)
            row = ApiToken(username=user, name=name, token_hash=token_hash(token), prefix=token[:12],
                           created_at=utcnow(), revoked=False)
            uow.session.add(row)
            uow.commit()
            return {**_token_dict(row), "token": token}

    def list_api_tokens(self, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            rows = uow.session.scalars(select(ApiToken).where(ApiToken.username == user).order_by(ApiToken.id))
            return [_token_dict(r) for r in rows]

    def revoke_api_token(self, token_id: int, *, user: str) -> None:
        with self.core.uow() as uow:
            row = uow.session.get(ApiToken, token_id)
            if row is None or (row.username != user and not self.core.actor(uow.session, user).is_supervisor):
                raise NotFound(f"no token {token_id}")
            row.revoked = True
            uow.commit()

    def user_for_token(self, token: str) -> dict | None:
        """The active user a bearer token belongs to (as get_user gives it). It runs before every
        API request: on PostgreSQL from the token cache when it holds the token (`TokenCache`),
        else in one prebuilt statement (a row per group) read without the ORM, as the first
        statement of the request's transaction, which the service the request calls then takes
        over (engine/store/unit_of_work.py, `begin_request`). The user is remembered for the
        request, so the service reads neither user nor groups again. A revoked token is refused
        on the next request. Last use is written at most once a minute."""
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        key, now = token_hash(token), utcnow()
        found = self.cache.get(key) if self.cache is not None else None
        if found is None:
            epoch = self.cache.epoch() if self.cache is not None else None
            found = self._read_token(key)
            if found is None:
                return None
            if epoch is not None:
                self.cache.put(key, epoch, found)
        if found.last_used_at is None or found.last_used_at < now - timedelta(minutes=1):
            with self.core.uow() as uow:
                uow.session.get(ApiToken, found.token_id).last_used_at = now
                uow.commit()
            found.last_used_at = now
        self.remember(found.user)
        return {**found.user, "groups": list(found.user["groups"])}

    def _read_token(self, key: str) -> TokenUser | None:
        with self._reader() as conn:
            rows = conn.execute(_BY_TOKEN, {"hash": key}).all()
        if not rows:
            return None
        first = rows[0]
        if first.revoked or not first.is_active or is_reserved_name(first.username):
            return None
        user = {"username": first.username, "display_name": first.display_name,
                "groups": sorted(r.group_name for r in rows if r.group_name is not None),
                "unit": first.unit_code, "active": True}
        return TokenUser(first.id, user, first.last_used_at)

    def remember(self, user: dict) -> None:
        """The request's user, as just read (token or session sign-in)."""
        self.core.remember_actor(user["username"], user.get("groups") or (), user.get("unit"))

    def end_request(self) -> None:
        self.core.end_request()

    def close(self) -> None:
        """Stops the token cache's listener (a process that drops its services)."""
        if self.cache is not None:
            self.cache.close()

    @contextmanager
    def _reader(self):
        engine = self.core.engine
        if engine.dialect.name == "sqlite":       # in-process: BEGIN costs nothing, and we issue BEGIN ourselves
            with self.core.uow(write=False) as uow:
                yield uow.session.connection()
            return
        yield begin_request(engine)


_TOKEN, _USER, _GROUP = ApiToken.__table__, User.__table__, UserGroup.__table__
_BY_TOKEN = (select(_TOKEN.c.id, _TOKEN.c.revoked, _TOKEN.c.last_used_at, _USER.c.username, _USER.c.display_name,
                    _USER.c.unit_code, _USER.c.is_active, _GROUP.c.group_name)
             .join(_USER, _USER.c.username == _TOKEN.c.username)
             .outerjoin(_GROUP, _GROUP.c.user_id == _USER.c.id)
             .where(_TOKEN.c.token_hash == bindparam("hash")))


def _token_dict(row: ApiToken) -> dict:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "created_at": row.created_at.isoformat(),
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None, "revoked": row.revoked}
