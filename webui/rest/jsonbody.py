"""Request bodies read as standard JSON (issue 21): NaN, Infinity and nesting that would exhaust
the parser are a 400 naming the problem, never stored and never a 500."""
from __future__ import annotations

from flask import request

from engine.errors import ValidationFailed
from engine.inputs import loads_strict


def json_body():
    """The JSON body read strictly (engine.inputs.loads_strict): None when there is none or it is
    not JSON at all, ValidationFailed for NaN/Infinity or nesting that would exhaust the parser."""
    if not request.data:
        return None
    try:
        return loads_strict(request.get_data(cache=True))
    except ValidationFailed as err:
        if err.details and err.details[0]["message"] == "invalid JSON":
            return None            # the callers say what they expected instead
        raise
