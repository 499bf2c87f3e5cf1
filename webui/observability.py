"""Request ids, JSON log lines, readiness, and a clear 503 while the database is away.

The connection pool pings before use (engine/db.py), so when the database returns the next
request simply works: nothing to restart, and a request that failed changed nothing.
"""
from __future__ import annotations

import json
import logging
import re
import uuid

from pathlib import Path

from flask import Flask, g, has_request_context, jsonify, request

from engine.errors import DatabaseUnavailable

from .errors import wants_json

log = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Read once and served as is: Jinja's context processors would ask the database for the user.
_UNAVAILABLE = (Path(__file__).resolve().parent / "templates" / "unavailable.html").read_text(encoding="utf-8")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage(),
                 "request_id": getattr(record, "request_id", "-")}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on stderr, each with the request id (for `xinfang serve` and gunicorn), at
    `level` (XINFANG_LOG_LEVEL; the core keeps the workflow library's own lines to DEBUG)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def return_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.errorhandler(DatabaseUnavailable)
    def database_unavailable(err):
        """A page that needs nothing from the database (not even the signed-in user)."""
        log.error("database unavailable on %s %s: %s", request.method, request.path, type(err).__name__)
        if wants_json():
            response = jsonify({"error": "database_unavailable", "details": None,
                                "message": "The database is unavailable; nothing was changed. Retry shortly."})
        else:
            response = app.make_response(_UNAVAILABLE.replace("{{ request_id }}", g.get("request_id", "")))
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response

    @app.get("/readyz")
    def readyz():
        from .app import get_services
        try:
            report = get_services().operations.readiness()
        except DatabaseUnavailable:
            report = {"ready": False, "checks": {"database": {"ok": False}}}
        response = jsonify(report)
        response.status_code = 200 if report["ready"] else 503
        return response
