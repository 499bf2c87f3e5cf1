"""Domain exceptions → HTTP status codes, once for the whole app.

API paths (/api/) answer JSON {error, message, details}; pages render an error page.
Bad input is never a 500 and never shows a traceback.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import (CaseFailed, Conflict, InvalidDiagram, NotAllowed, NotFound, ValidationFailed,
                           XinfangError)
from office.people.tokens import TooManyAttempts

log = logging.getLogger(__name__)

STATUS = [(TooManyAttempts, 429), (NotFound, 404), (NotAllowed, 403), (Conflict, 409), (CaseFailed, 409),
          (InvalidDiagram, 422), (ValidationFailed, 400)]


def status_of(err: XinfangError) -> int:
    return next((code for cls, code in STATUS if isinstance(err, cls)), 400)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, details=None):
    if wants_json():
        response = jsonify({"error": code, "message": message, "details": details})
        response.status_code = status
        return response
    return render_template("error.html", status=status, code=code, message=message, details=details), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(XinfangError)
    def domain_error(err: XinfangError):
        message = err.message
        if isinstance(err, CaseFailed):
            message = f"{err.message}. The case is now in error; a director can retry it once the cause is fixed."
        return error_response(status_of(err), err.code, message, err.details)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(err.code or 500, code, err.description or err.name)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "An unexpected error occurred; it has been logged.")
