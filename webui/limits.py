"""Rate limits (Flask-Limiter): one `limiter` for the app, limits declared on the views.

Minimal version for the public online petition; storage is memory unless the settings name a
Redis (`redis_url`), so several workers share one count.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")


def init_limits(app: Flask, settings) -> None:
    redis_url = getattr(settings, "redis_url", None) or (getattr(settings, "extra", {}) or {}).get("redis_url")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
