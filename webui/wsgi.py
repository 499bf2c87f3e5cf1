"""WSGI entry point for production servers: `gunicorn -w 2 webui.wsgi:app` (settings from the environment)."""
from __future__ import annotations

from engine.settings import Settings

from .app import create_app
from .observability import configure_logging

settings = Settings.from_env()
configure_logging(settings.log_level)
app = create_app(settings)
