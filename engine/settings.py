"""One frozen settings object, built from the environment once per process.

Everything configurable (database, secrets, scheduler, storage) lives here so that
web, CLI, scheduler and tests all configure the system the same way.
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.errors import ValidationFailed

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "var" / "xinfang.db"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(env, name: str, default, kind=int, minimum=1):
    """A numeric variable, or a clear refusal naming it: a typo in a unit file must not surface
    as a traceback from deep inside start-up."""
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = kind(value)
    except ValueError:
        number = None
    if number is None or not number >= minimum or number == float("inf"):
        raise ValidationFailed(f"{name} must be a {'whole ' if kind is int else ''}number ≥ {minimum}, not {value!r}")
    return number


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValidationFailed(f"XINFANG_TIMEZONE must be a time zone such as Asia/Shanghai, not {name!r}") from None
    return name


def _networks(text: str) -> tuple[str, ...]:
    """Addresses or networks (127.0.0.1, 10.0.0.0/8), comma-separated; a typo is refused at start."""
    found = tuple(a.strip() for a in text.split(",") if a.strip())
    for entry in found:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValidationFailed(f"XINFANG_METRICS_ALLOW: {entry!r} is not an address or network") from None
    return found


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _log_level(name: str) -> str:
    level = name.strip().upper()
    if level not in LOG_LEVELS:
        raise ValidationFailed(f"XINFANG_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {name!r}")
    return level


def _environment(name: str) -> str:
    name = name.strip().lower()
    if name not in ("development", "production"):
        raise ValidationFailed(f"XINFANG_ENV must be development or production, not {name!r}")
    return name


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_DB}"
    secret_key: str = ""
    bpmn_dir: Path = ROOT / "bpmn"
    storage_dir: Path = ROOT / "var" / "documents"
    jurisdiction: str = "default"     # processes/deadline_tables/<name>.json (XINFANG_JURISDICTION)
    office_name: str = "人大常委会信访办公室"     # signs the notices
    timezone: str = "Asia/Shanghai"    # the office's clock: local days, 24:00 deadlines (XINFANG_TIMEZONE)
    scheduler_enabled: bool = True
    tick_seconds: float = 1.0
    timer_batch: int = 50           # cases whose due timers fire in one transaction
    scheduler_threads: int = 4      # connections a scheduler fires cases on (PostgreSQL only)
    # A ping at connection checkout (a round trip and, on PostgreSQL, a transaction) spares web users
    # an error after a database restart. Only a connection that sat in the pool longer than
    # `db_ping_after` seconds is pinged (XINFANG_DB_PING_AFTER; 0 pings every checkout): under load a
    # connection comes back within milliseconds, and a restart takes longer than that. The standalone
    # scheduler turns the ping off (XINFANG_DB_PRE_PING): a dead connection fails one tick, the pool
    # is then invalidated and the next tick reconnects.
    db_pre_ping: bool = True
    db_ping_after: float = 2.0
    max_tree_depth: int = 800
    # Seconds one step of a case may run (XINFANG_STEP_SECONDS): past it the step is rolled back and
    # the case put in error, so one case's loop cannot hold the database's write lock.
    step_seconds: float = 30.0
    field_keys: tuple[str, ...] = ()     # Fernet keys, newest first (XINFANG_FIELD_KEYS)
    hash_key: str = ""                   # HMAC key for searchable hashes (XINFANG_HASH_KEY)
    testing: bool = False
    # "development" (make run: a generated session key in var/) or "production" (the default: the
    # server refuses to start without XINFANG_SECRET_KEY). XINFANG_ENV.
    environment: str = "production"
    redis_url: str = ""                  # rate-limit counters shared by every worker (XINFANG_REDIS_URL)
    trusted_proxies: int = 0             # reverse proxies in front, for ProxyFix (XINFANG_TRUSTED_PROXIES)
    metrics_token: str = ""              # bearer token a scraper sends to /metrics (XINFANG_METRICS_TOKEN)
    metrics_allow: tuple[str, ...] = ()  # addresses or networks that may read /metrics (XINFANG_METRICS_ALLOW)
    log_level: str = "INFO"              # the web processes' JSON log lines (XINFANG_LOG_LEVEL)
    # Seconds a web process may keep a bearer token's user (PostgreSQL; any change to tokens, users
    # or memberships ends every kept one at once). 0: read the token on every request.
    token_cache_seconds: float = 10.0    # XINFANG_TOKEN_CACHE_SECONDS
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        base = cls()
        return replace(
            base,
            database_url=env.get("XINFANG_DATABASE_URL") or base.database_url,
            secret_key=env.get("XINFANG_SECRET_KEY", ""),
            storage_dir=Path(env.get("XINFANG_STORAGE_DIR") or base.storage_dir),
            jurisdiction=env.get("XINFANG_JURISDICTION") or base.jurisdiction,
            office_name=env.get("XINFANG_OFFICE_NAME") or base.office_name,
            scheduler_enabled=_bool(env.get("XINFANG_SCHEDULER"), True),
            tick_seconds=_number(env, "XINFANG_TICK_SECONDS", base.tick_seconds, float, 0.1),
            scheduler_threads=_number(env, "XINFANG_SCHEDULER_THREADS", base.scheduler_threads),
            timer_batch=_number(env, "XINFANG_TIMER_BATCH", base.timer_batch),
            step_seconds=_number(env, "XINFANG_STEP_SECONDS", base.step_seconds, float, 0.1),
            db_pre_ping=_bool(env.get("XINFANG_DB_PRE_PING"), base.db_pre_ping),
            db_ping_after=_number(env, "XINFANG_DB_PING_AFTER", base.db_ping_after, float, 0.0),
            field_keys=tuple(k.strip() for k in env.get("XINFANG_FIELD_KEYS", "").split(",") if k.strip()),
            hash_key=env.get("XINFANG_HASH_KEY", ""),
            timezone=_zone(env.get("XINFANG_TIMEZONE") or base.timezone),
            environment=_environment(env.get("XINFANG_ENV") or base.environment),
            redis_url=env.get("XINFANG_REDIS_URL", ""),
            trusted_proxies=_number(env, "XINFANG_TRUSTED_PROXIES", 0, int, 0),
            metrics_token=env.get("XINFANG_METRICS_TOKEN", ""),
            metrics_allow=_networks(env.get("XINFANG_METRICS_ALLOW", "")),
            log_level=_log_level(env.get("XINFANG_LOG_LEVEL") or base.log_level),
            token_cache_seconds=_number(env, "XINFANG_TOKEN_CACHE_SECONDS", base.token_cache_seconds, float, 0.0),
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
