"""Size limits on submitted data: refused by field name before anything is stored."""
from __future__ import annotations

from engine.errors import ValidationFailed

MAX_TEXT = 20_000        # characters in one field (a petition's full text fits many times)
MAX_DEPTH = 20


def checked_object(data, what: str) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed(f"{what} must be a JSON object, not {type(data).__name__}")
    _check_sizes(data, what, 0)
    return data


def _check_sizes(value, path: str, depth: int) -> None:
    """Oversized fields are refused by name before anything is stored."""
    if depth > MAX_DEPTH:
        raise ValidationFailed(f"{path}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        field = path.rsplit(".", 1)[-1]
        raise ValidationFailed(f"{path}: {len(value)} characters, at most {MAX_TEXT}",
                               [{"field": field, "message": f"at most {MAX_TEXT} characters"}])
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        _check_sizes(item, f"{path}.{key}", depth + 1)
