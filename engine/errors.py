"""Domain exceptions. Each layer raises these; the web and CLI edges map them once."""
from __future__ import annotations

from sqlalchemy.exc import DBAPIError

# What the database driver raises when the database is unreachable or refuses a statement: the
# edges answer 503 ("nothing was changed, retry") instead of a traceback.
DatabaseUnavailable = DBAPIError


class XinfangError(Exception):
    """Base class; `code` is a stable machine-readable name, `details` structured context."""

    code = "error"

    def __init__(self, message: str, details: object = None):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(XinfangError):
    code = "not_found"


class NotAllowed(XinfangError):
    code = "not_allowed"


class Conflict(XinfangError):
    code = "conflict"


class ValidationFailed(XinfangError):
    code = "validation_failed"


class InvalidDiagram(XinfangError):
    """`details` is the list of {file, line, element, message} problems."""

    code = "invalid_diagram"


class CaseFailed(XinfangError):
    """A step failed inside the engine (handler error, loop limit); the case is now in `error`."""

    code = "case_error"
