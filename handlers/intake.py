"""Intake handlers: registration number and query code, repeat detection, category hint."""
from __future__ import annotations

from handlers.registry import handler
from processes import routing

CHANNEL_PREFIX = {"来访": "LF", "来信": "LX", "网信": "WX", "电话": "DH", "代表转来": "DB", "人大代表转交": "DB"}
DEPUTY_SOURCE = "人大代表转交"      # a source, not a channel: the number still says DB
DEFAULT_REGION = "000000"


def registration_number(channel: str, region: str | None, day: str, serial: int) -> str:
    """e.g. LF130000201511300320: channel prefix + 6-digit region + date + 4-digit daily serial."""
    region6 = (region or DEFAULT_REGION)[:6].ljust(6, "0")
    return f"{CHANNEL_PREFIX.get(channel, 'XF')}{region6}{day}{serial:04d}"


@handler("assign_registration")
def assign_registration(*, data: dict, clock, lookup, query_codes) -> dict:
    """Idempotent: a retried step keeps the number it already has. The query code never enters
    the case data: `query_codes` keeps it encrypted and puts its hash on the case row."""
    if data.get("reg_no"):
        return {}
    day = clock.today().strftime("%Y%m%d")
    serial = lookup.next_serial(f"reg:{day}")
    query_codes.issue()
    channel = "人大代表转交" if data.get("source") == DEPUTY_SOURCE else data.get("channel", "")
    return {"reg_no": registration_number(channel, data.get("region"), day, serial)}


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
