"""The handler the web tests' small diagram uses, standing in for the petition processes.

The end-to-end tests' conftest registers it once per session with `register()`.
"""
from __future__ import annotations

import hashlib

from handlers.registry import handler


def query_code(case_id: int) -> str:
    return f"code-{case_id}"


def number(*, case) -> dict:
    """A registration number and query code, as the real intake handler will set them."""
    return {"reg_no": f"LF110000{case.id:08d}", "stage": "TRIAGE",
            "query_code_hash": hashlib.sha256(query_code(case.id).encode()).hexdigest()}


def register() -> list[str]:
    handler("web_test_number")(number)
    return ["web_test_number"]
