"""The web edge's own defences: the session key, safe redirect targets, security headers
(flask-talisman) and who may read /metrics. docs/security.md says what each promises."""
from __future__ import annotations

import ipaddress
import hmac
import os
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, request, url_for
from flask_talisman import Talisman

from engine.settings import Settings

# bpmn-js and Chart.js run from /static; data blocks are <script type="application/json">, which
# CSP does not execute. Styles allow 'unsafe-inline': bpmn-js and Chart.js set style attributes.
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
talisman = Talisman()


class MissingSecretKey(SystemExit):
    """Outside development the server does not start on a guessable session key."""


def secret_key(settings: Settings) -> str:
    """XINFANG_SECRET_KEY; in development (make run) a random key made once per installation into
    var/secret_key (0600, gitignored, beside the development field keys); in tests a fresh random
    key; anywhere else a refusal to start."""
    if settings.secret_key:
        return settings.secret_key
    if settings.testing:
        return secrets.token_urlsafe(32)
    if settings.development:
        return _key_file(Path(settings.storage_dir).parent / "secret_key")
    raise MissingSecretKey("XINFANG_SECRET_KEY is not set. Set it to a long random value (for example "
                           "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`), or set "
                           "XINFANG_ENV=development for a local development server (docs/deploy.md).")


def _key_file(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:            # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def safe_next(target: str | None, default: str | None = None) -> str:
    """A same-site relative path, or the inbox. Browsers drop tabs and line breaks inside URLs and
    read a backslash as a slash, so `/\\t/evil.example` means `//evil.example`: normalise the way
    they do first, then accept only `/path` without a scheme or host."""
    fallback = default or url_for("inbox.index")
    if not target:
        return fallback
    cleaned = "".join(ch for ch in target if not unicodedata.category(ch).startswith("C"))
    cleaned = cleaned.replace("\\", "/").strip()
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return fallback
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return fallback
    return cleaned


def init_headers(app: Flask) -> None:
    """CSP, frame options, referrer policy, nosniff, and HSTS when cookies are secure. HTTPS is not
    forced here: the reverse proxy redirects http (docs/deploy.md), and `make run` is plain http."""
    secure = app.config["SESSION_COOKIE_SECURE"]
    talisman.init_app(app, content_security_policy=CSP, frame_options="DENY",
                      referrer_policy="same-origin", force_https=False, strict_transport_security=secure,
                      session_cookie_secure=app.config["SESSION_COOKIE_SECURE"], force_file_save=False)


def metrics_allowed(settings: Settings) -> None:
    """/metrics answers a bearer token (XINFANG_METRICS_TOKEN) or an allowed address
    (XINFANG_METRICS_ALLOW); anyone else gets 404, as if it were not there."""
    header = request.headers.get("Authorization", "")
    if settings.metrics_token and header.lower().startswith("bearer ") and \
            hmac.compare_digest(header[7:].strip().encode(), settings.metrics_token.encode()):
        return
    if settings.metrics_allow and _address_allowed(request.remote_addr or "", settings.metrics_allow):
        return
    abort(404)


def _address_allowed(address: str, allowed: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:         # refused by Settings.from_env; here only from code
            continue
    return False
