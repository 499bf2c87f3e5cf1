"""WSGI entry point for production servers: `gunicorn -w 2 webui.wsgi:app` (settings from the environment)."""
from __future__ import annotations

from .app import create_app
from .observability import configure_logging

configure_logging()
app = create_app()
