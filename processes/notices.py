"""The office's notices: which exist, who they are addressed to, and the fields they fill.

Templates are .docx files in processes/templates/ (made by build_templates.py, editable in Word).
Who issues which notice, and the facts each must state, is the table in processes.notice_kinds;
every fact comes from the case, and a missing one refuses the letter (never a blank).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from .calendar import end_of_day, local_day
from .due import chinese_last_day, standing
from .gate_reasons import BY_LABEL
from .notice_kinds import BY_KIND, DEPUTY, ORGAN, PETITIONER, REVIEW_ORGAN, TABLE, missing_facts

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = tuple(k.kind for k in TABLE)
TO_PETITIONER = tuple(k.kind for k in TABLE if k.addressee == PETITIONER)
CARRIES_QUERY_CODE = ("回执", "受理告知书")     # only the office's petitioner-facing staff open these
TO_UNIT = tuple(k.kind for k in TABLE if k.to_units)
TO_DEPUTY = tuple(k.kind for k in TABLE if k.addressee == DEPUTY)   # the deputy who referred it (代表转交)
WITHHELD = "（依法保密）"
DEFAULT_HANDLE_DAYS = 60
_CHINESE_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


class NoticeIncomplete(ValueError):
    """A notice lacks a fact it must state: refused, so no letter prints a blank."""

    def __init__(self, kind: str, missing: list[str]):
        from .notice_kinds import FIELDS
        self.kind, self.missing = kind, missing
        super().__init__(f"{kind}不能出具：缺少" + "、".join(f"{FIELDS.get(m, m)}（{m}）" for m in missing))


def chinese_date(value: date | datetime | str | None) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        value = local_day(value) if value.tzinfo else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def deadline_day(value: str | None) -> str:
    """A stored deadline is 24:00 of its last day; the notice names that day (processes.due)."""
    return chinese_last_day(value)


def as_deadline(value: datetime | date | str | None) -> datetime | None:
    """A deadline given as its instant (datetime or ISO text), its last day (date), or the last day
    as a letter prints it ("2026年12月2日"): the instant it runs out; None when it is none of these."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return end_of_day(value)
    found = _CHINESE_DAY.fullmatch(str(value).strip())
    if found:
        return end_of_day(date(*(int(g) for g in found.groups())))
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def deadline_state(due: datetime | date | str | None, now: datetime) -> str:
    """The deadline as it stands on the day a 督办函 is issued: run out only once it has."""
    due = as_deadline(due)
    if due is None:
        return ""
    state = standing(due, now)
    day = chinese_last_day(due)
    return f"已于{day}届满" if state.overdue else f"将于{day}届满"


def assign_period(deadline: str | None, days: int = DEFAULT_HANDLE_DAYS) -> str:
    """交办函: the computed last day once known, else the period and how it is counted."""
    if deadline:
        return f"请于{chinese_last_day(deadline)}前办结（自受理之日起{days}日）"
    return f"请自收到本函之日起{days}日内办结"


def addressed_units(lead: str | None, co: list[str] | None, name_of: Callable[[str | None], str]) -> str:
    """"区人民政府（主办）、区住房和城乡建设局（协办）": each unit by its directory name and role;
    "" when a unit is unknown to the directory (the letter is then refused, not sent to a code)."""
    co = [c for c in (co or []) if c and c != lead]
    names = [name_of(lead)] + [name_of(c) for c in co]
    if not lead or not all(names):
        return ""
    if not co:
        return names[0]
    return "、".join([f"{names[0]}（主办）"] + [f"{n}（协办）" for n in names[1:]])


def check(kind: str, fields: dict) -> None:
    """Raise NoticeIncomplete when a required fact is missing (processes.notice_kinds)."""
    if kind not in BY_KIND:
        raise ValueError(f"no notice {kind!r}; known: {', '.join(KINDS)}")
    missing = missing_facts(kind, fields)
    if kind == "受理告知书" and fields.get("mode") in ("转送", "交办") and not fields.get("handling_organ"):
        missing.append("handling_organ")      # "已将该事项交由办理" would name no organ
    if missing:
        raise NoticeIncomplete(kind, missing)


def context(kind: str, data: dict, *, reg_no: str | None, today: date, names: list[str],
            office: str, unit_name: str | Callable[[str | None], str] = "", query_code: str = "",
            sequence: int | None = None, now: datetime | None = None, handle_days: int = DEFAULT_HANDLE_DAYS) -> dict:
    """Fields for the template, every one from the case. `unit_name` resolves a unit code to its
    directory name ("" when unknown). A notice to a unit about an accusation never names the reporter."""
    name_of = unit_name if callable(unit_name) else (lambda code, _n=unit_name: _n)
    info = BY_KIND.get(kind)
    accusation = data.get("category") == "检举控告类" or data.get("purpose") == "揭发控告"
    if kind in TO_UNIT and accusation:
        petitioner = WITHHELD
    else:
        petitioner = "、".join(names) if names else ("匿名信访人" if data.get("anonymous") else "信访人")
    deadlines = data.get("deadlines") or {}
    lead = data.get("lead_unit") or data.get("organ_unit")
    organ = name_of(lead) if lead else ""
    gate = BY_LABEL.get(data.get("gate_reason") or "")
    fields = {
        "reg_no": reg_no or "", "petitioner": petitioner, "subject": data.get("subject", ""),
        "content": data.get("content", ""),
        "received": chinese_date((data.get("milestones") or {}).get("registered") or data.get("received_at")),
        "query_code": query_code if kind in CARRIES_QUERY_CODE else "",
        "issued": chinese_date(today), "office": office, "signer": office,
        "mode": data.get("mode", ""), "handling_organ": organ,
        "deadline": deadline_day(deadlines.get("extension") or deadlines.get("handle")),
        "route_deadline": deadline_day(deadlines.get("route")),
        "period": assign_period(deadlines.get("handle"), handle_days),
        "reason": gate.reason if gate else "", "basis": gate.basis if gate else "",
        "channel": gate.channel if gate else "",
        "competent_organ": data.get("competent_organ", ""), "outcome": data.get("outcome", ""),
        "opinion": data.get("opinion") or data.get("reply_text", ""), "legal_basis": data.get("legal_basis", ""),
        "decision": data.get("decision", "") if data.get("decision") in ("维持", "撤销", "变更") else "",
        "sequence": sequence or "", "deadline_state": "", "deputy": data.get("deputy", ""),
    }
    if kind in TO_PETITIONER:
        fields["addressee"] = petitioner
    elif kind in TO_DEPUTY:
        fields["addressee"] = f"{data['deputy']}代表" if data.get("deputy") else ""
    elif kind == "督办函":
        fields["addressee"] = name_of(lead) if lead else ""
        if now is not None:
            fields["deadline_state"] = deadline_state(deadlines.get("extension") or deadlines.get("handle"), now)
    else:
        fields["addressee"] = addressed_units(lead, data.get("co_units"), name_of)
    if kind == "延期告知书":
        fields["reason"] = data.get("extension_reason", "")
    if info is not None and info.issuer == ORGAN:
        fields["signer"] = organ
    elif info is not None and info.issuer == REVIEW_ORGAN:
        fields["signer"] = name_of(data.get("review_organ")) if data.get("review_organ") else office
    return fields
