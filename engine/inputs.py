"""Size limits on submitted data: refused by field name before anything is stored."""
from __future__ import annotations

import json
import math

from engine.errors import ValidationFailed

MAX_TEXT = 20_000        # characters in one field (a petition's full text fits many times)
MAX_DEPTH = 20


MAX_ROW_ID = 2 ** 63 - 1   # the widest integer key SQLite and PostgreSQL store


def is_row_id(value) -> bool:
    """A whole number that can name a stored row: larger ones would overflow the driver (a 500)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ROW_ID


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
    if isinstance(value, float) and not math.isfinite(value):
        field = path.rsplit(".", 1)[-1]
        raise ValidationFailed(f"{path}: {value} is not a number JSON can carry; send a finite number",
                               [{"field": field, "message": "NaN and Infinity are not allowed"}])
    if isinstance(value, str) and len(value) > MAX_TEXT:
        field = path.rsplit(".", 1)[-1]
        raise ValidationFailed(f"{path}: {len(value)} characters, at most {MAX_TEXT}",
                               [{"field": field, "message": f"at most {MAX_TEXT} characters"}])
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        _check_sizes(item, f"{path}.{key}", depth + 1)


class _Constant(ValueError):
    pass


def _no_constant(name: str):
    raise _Constant(name)


def loads_strict(text: str | bytes, what: str = "the request body"):
    """Standard JSON only: NaN and Infinity (which Python's json accepts and would later emit as
    invalid JSON) are refused, and so is nesting deep enough to exhaust the parser's recursion —
    both as ValidationFailed, never a RecursionError surfacing as a 500."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except _Constant as err:
        raise ValidationFailed(f"{what}: {err} is not valid JSON; send a finite number",
                               [{"field": "", "message": "NaN and Infinity are not allowed"}]) from None
    except RecursionError:
        raise ValidationFailed(f"{what} is nested too deeply (at most {MAX_DEPTH} levels)",
                               [{"field": "", "message": "nested too deeply"}]) from None
    except (ValueError, UnicodeDecodeError) as err:      # JSONDecodeError is a ValueError
        raise ValidationFailed(f"{what} is not valid JSON: {err}", [{"field": "", "message": "invalid JSON"}]) from None
