"""The office's notices: which exist, who they are addressed to, and the fields they fill.

Templates are .docx files in processes/templates/ (made by build_templates.py, editable in Word).
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from .calendar import local_day
from .due import chinese_last_day

TEMPLATES = Path(__file__).resolve().parent / "templates"
TO_PETITIONER = ("回执", "受理告知书", "不予受理告知书", "不再受理告知书", "告知书", "延期告知书", "信访处理意见书")
CARRIES_QUERY_CODE = ("回执", "受理告知书")     # only the office's petitioner-facing staff open these
TO_UNIT = ("转送书", "交办函", "督办函")
TO_DEPUTY = ("办理结果反馈",)      # to the deputy who referred the petition (代表转交)
KINDS = TO_PETITIONER + TO_UNIT + TO_DEPUTY
WITHHELD = "（依法保密）"


def chinese_date(value: date | datetime | str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = local_day(value) if value.tzinfo else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def deadline_day(value: str | None) -> str:
    """A stored deadline is 24:00 of its last day; the notice names that day (processes.due)."""
    return chinese_last_day(value)


def context(kind: str, data: dict, *, reg_no: str | None, today: date, names: list[str],
            office: str, unit_name: str = "", query_code: str = "") -> dict:
    """Fields for the template. A notice to a unit about an accusation never names the reporter."""
    accusation = data.get("category") == "检举控告类" or data.get("purpose") == "揭发控告"
    if kind in TO_UNIT and accusation:
        petitioner = WITHHELD
    else:
        petitioner = "、".join(names) if names else ("匿名信访人" if data.get("anonymous") else "信访人")
    deadlines = data.get("deadlines") or {}
    return {
        "reg_no": reg_no or "", "petitioner": petitioner, "subject": data.get("subject", ""),
        "content": data.get("content", ""),
        "received": chinese_date((data.get("milestones") or {}).get("registered") or data.get("received_at")),
        "query_code": query_code if kind in CARRIES_QUERY_CODE else "",
        "issued": chinese_date(today), "office": office, "unit_name": unit_name or data.get("unit_name", ""),
        "deadline": deadline_day(deadlines.get("extension") or deadlines.get("handle")),
        "route_deadline": deadline_day(deadlines.get("route")),
        "reason": data.get("reason") or data.get("extension_reason") or data.get("reject_reason", ""),
        "competent_organ": data.get("competent_organ", ""), "outcome": data.get("outcome", ""),
        "opinion": data.get("opinion") or data.get("reply_text", ""),
        "count": data.get("supervision_count", ""), "deputy": data.get("deputy", ""),
    }
