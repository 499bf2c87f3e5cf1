"""Rate limits (Flask-Limiter): one `limiter` for the whole web edge, its counters in Redis when
XINFANG_REDIS_URL is set (shared by every worker) and in memory otherwise (the one process of
`make run`).

Routes use the decorator: `from webui.limits import limiter` then `@limiter.limit("10 per hour")`.
Sign-in, the self-service code and bearer tokens count in code (`attempt`), because they count
per account, per address and per address across accounts. Every count is a hit taken *before*
the password or code is checked, and a hit is atomic in the storage (a Lua script in Redis, a lock
in memory): 20 parallel guesses against a limit of 5 get 5 checks, never more.
"""
from __future__ import annotations

import logging
import math
import os
import shlex
import sys
import time

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from engine.settings import Settings
from office.people.tokens import TooManyAttempts

log = logging.getLogger(__name__)
limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=True)

# One account from one address; one account from anywhere; everything from one address; and how many
# different accounts one address may try (password spraying).
LOGIN = {"pair": parse("5 per 15 minutes"), "account": parse("30 per 15 minutes"),
         "address": parse("100 per 15 minutes"), "spray": parse("10 per 15 minutes")}
# The self-service page: the account is the registration number, the secret its query code.
LOOKUP = {"pair": parse("10 per 15 minutes"), "account": parse("10 per 15 minutes"),
          "address": parse("30 per 15 minutes"), "spray": parse("10 per 15 minutes")}
# Wrong bearer tokens from one address (tokens carry 256 random bits; this stops a flood).
BAD_TOKENS = parse("20 per 15 minutes")
SEEN = parse("1000 per 15 minutes")      # marks an account as already tried from an address
_state = {"prefix": "xinfang"}


def init_limits(app: Flask, settings: Settings) -> None:
    """Storage from the settings; a warning when several worker processes would count apart."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", settings.extra.get("ratelimit_prefix", "xinfang"))
    _state["prefix"] = app.config["RATELIMIT_KEY_PREFIX"]
    limiter._key_prefix = None      # Flask-Limiter keeps the first app's prefix; each app brings its own
    limiter.init_app(app)
    workers = worker_count()
    if not settings.redis_url and workers > 1:
        message = (f"WARNING: {workers} worker processes but XINFANG_REDIS_URL is not set: each worker counts "
                   "sign-in and query-code attempts apart, so limits are {workers} times looser. "
                   "Set XINFANG_REDIS_URL (docs/deploy.md).").replace("{workers}", str(workers))
        log.warning(message)
        print(message, file=sys.stderr)


def worker_count(argv: list[str] | None = None, environ: dict | None = None) -> int:
    """Worker processes of the gunicorn that loads us (-w/--workers, GUNICORN_CMD_ARGS,
    WEB_CONCURRENCY); 1 for anything else."""
    argv = sys.argv if argv is None else argv
    env = os.environ if environ is None else environ
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 1
    args = [*argv[1:], *shlex.split(env.get("GUNICORN_CMD_ARGS", ""))]
    count = env.get("WEB_CONCURRENCY") or "1"
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args):
            count = args[i + 1]
        elif arg.startswith("--workers="):
            count = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            count = arg[2:]
    return int(count) if str(count).isdigit() else 1


def _ids(kind: str, *parts: str) -> tuple[str, ...]:
    return (_state["prefix"], kind, *[p[:200] for p in parts])


def _refuse(item: RateLimitItem, ids: tuple[str, ...]) -> None:
    reset, _ = limiter.limiter.get_window_stats(item, *ids)
    raise TooManyAttempts("too many attempts; try again later", max(1, math.ceil(reset - time.time())))


def attempt(scope: str, limits: dict[str, RateLimitItem], account: str, address: str) -> None:
    """Counts one attempt on `account` from `address` before its secret is checked, or raises
    TooManyAttempts (with retry_after) when any of the four limits is spent."""
    account = (account or "").strip().lower()
    pair = _ids(scope, "pair", account, address)
    if not limiter.limiter.hit(limits["pair"], *pair):
        _refuse(limits["pair"], pair)
    for kind, ids in (("account", _ids(scope, "account", account)), ("address", _ids(scope, "address", address))):
        if not limiter.limiter.hit(limits[kind], *ids):
            _refuse(limits[kind], ids)
    limiter.limiter.hit(SEEN, *_ids(scope, "seen", account, address))
    _, remaining = limiter.limiter.get_window_stats(SEEN, *_ids(scope, "seen", account, address))
    if remaining == SEEN.amount - 1:        # the first try of this account from here in the window
        spray = _ids(scope, "spray", address)
        if not limiter.limiter.hit(limits["spray"], *spray):
            _refuse(limits["spray"], spray)


def succeeded(scope: str, limits: dict[str, RateLimitItem], account: str, address: str) -> None:
    """The right secret: the account's own counters start again (the address's do not)."""
    account = (account or "").strip().lower()
    limiter.limiter.clear(limits["pair"], *_ids(scope, "pair", account, address))
    limiter.limiter.clear(limits["account"], *_ids(scope, "account", account))


def bearer_allowed(address: str) -> None:
    """Raises TooManyAttempts once an address has sent too many wrong tokens."""
    ids = _ids("token", "bad", address)
    if not limiter.limiter.test(BAD_TOKENS, *ids):
        _refuse(BAD_TOKENS, ids)


def bearer_failed(address: str) -> None:
    limiter.limiter.hit(BAD_TOKENS, *_ids("token", "bad", address))
