"""Intake handlers: registration number and query code, repeat detection, category hint."""
from __future__ import annotations

import hashlib
import secrets

from handlers.registry import handler
from processes import routing

CHANNEL_PREFIX = {"来访": "LF", "来信": "LX", "网信": "WX", "电话": "DH", "代表转来": "DB"}
DEFAULT_REGION = "000000"


def registration_number(channel: str, region: str | None, day: str, serial: int) -> str:
    """e.g. LF130000201511300320: channel prefix + 6-digit region + date + 4-digit daily serial."""
    region6 = (region or DEFAULT_REGION)[:6].ljust(6, "0")
    return f"{CHANNEL_PREFIX.get(channel, 'XF')}{region6}{day}{serial:04d}"


@handler("assign_registration")
def assign_registration(*, data: dict, clock, lookup) -> dict:
    """Idempotent: a retried step keeps the number it already has."""
    if data.get("reg_no"):
        return {}
    day = clock.today().strftime("%Y%m%d")
    serial = lookup.next_serial(f"reg:{day}")
    code = f"{secrets.randbelow(10**8):08d}"
    return {"reg_no": registration_number(data.get("channel", ""), data.get("region"), day, serial),
            "query_code": code, "query_code_hash": hashlib.sha256(code.encode()).hexdigest()}  # = office.selfservice.service.code_hash


@handler("detect_repeat")
def detect_repeat(*, data: dict, lookup) -> dict:
    verdict = routing.judge_repeat(data, lookup.earlier_cases_of_same_petitioners())
    out = {"is_repeat": verdict.is_repeat, "repeat_kind": "重件" if verdict.is_repeat else "初件",
           "bar_applies": verdict.bar_applies, "pending_elsewhere": verdict.pending_elsewhere}
    if verdict.main_case_id:
        out["main_case_id"] = verdict.main_case_id
    return out


@handler("suggest_category")
def suggest_category(*, data: dict) -> dict:
    category = routing.suggest_category(data.get("subject", ""), data.get("content", ""), data.get("purpose", ""),
                                        bool(data.get("litigation_related")))
    route = routing.suggest_route(category, bar_applies=bool(data.get("bar_applies")),
                                  pending_elsewhere=bool(data.get("pending_elsewhere")))
    return {"suggested_category": category, "suggested_route": route}
