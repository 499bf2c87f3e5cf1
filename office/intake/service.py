"""Registration of a new petition (登记) and repeat-petition hints.

The registration form's fields are those of the domain brief §5; they are checked here
and handed to the intake process (`INTAKE_PROCESS`, or settings.extra["intake_process"])
as its start data. Identities are protected by `Services.start_case` before storage.
"""
from __future__ import annotations

from datetime import datetime

import phonenumbers
from sqlalchemy import or_, select
from stdnum.cn import ric

from engine.errors import NotAllowed, ValidationFailed
from engine.store.models import Case
from office.directory.names import Names
from office.directory.service import resolve_region, resolve_unit
from office.documents.service import latest_of_kind
from office.people.identity import looks_masked

INTAKE_PROCESS = "intake"
CHANNELS = ("来信", "来访", "网信", "电话")
SOURCES = ("本人提出", "人大代表转交", "领导批示", "上级机关转来", "其他机关转来")
PURPOSES = ("揭发控告", "意见建议", "申诉", "求决", "其他")
CATEGORY_OF_PURPOSE = {"揭发控告": "检举控告类", "意见建议": "建议意见类", "申诉": "申诉求决类", "求决": "申诉求决类"}
CONTENT_CLASSES = ("农村农业", "自然资源", "城乡建设", "劳动和社会保障", "卫生健康", "教育", "经济管理", "市场监管",
                   "交通运输", "民政与应急", "政法", "军队事务", "科技与信息产业", "生态环境", "文体旅游", "党务政务",
                   "组织人事", "纪检监察", "其他")
ORGAN_TYPES = ("政府及其部门", "监察委员会", "人民法院", "人民检察院", "下级人大及其常委会", "人大代表", "人大机关工作人员",
               "其他")
FLAGS = ("multi_addressed", "skip_level", "litigation_related", "sensitive", "urgent", "instructed", "key_case")
MAX_REPRESENTATIVES = 5
CHECKED = ("id_number", "phone")       # checked numbers; an override lets a verified exception through


def _error(problems: list, field: str, message: str) -> None:
    problems.append({"field": field, "message": message})


def valid_id_number(value: str) -> bool:
    """A resident ID number (居民身份证) with its region, birth date and check digit (python-stdnum)."""
    return ric.is_valid(value)


def valid_phone(value: str) -> bool:
    """A mobile number or a landline with its area code, by the numbering plan (phonenumbers)."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, "CN"))
    except phonenumbers.NumberParseException:
        return False


def _person(raw: dict, field: str, problems: list, unchecked: list, *, need_name: bool) -> dict:
    person = {k: str(raw.get(k) or "").strip()[:200] for k in ("name", "id_number", "phone", "address")}
    if need_name and not person["name"]:
        _error(problems, f"{field}.name", "姓名必填（或勾选匿名）")
    for key, value in person.items():
        if value and looks_masked(value):        # a masked copy is never a registration (issue 21)
            _error(problems, f"{field}.{key}", "请填写完整信息，不要填写带“*”或“…”的遮蔽值")
    if person["id_number"] and not valid_id_number(person["id_number"]):
        unchecked.append({"field": f"{field}.id_number", "message": "身份证号码不正确（请核对出生日期和校验位）"})
    if person["phone"] and not valid_phone(person["phone"]):
        unchecked.append({"field": f"{field}.phone", "message": "电话号码不正确（手机号11位，固定电话请加区号）"})
    return {k: v for k, v in person.items() if v}


def _overrides(form: dict, unchecked: list, problems: list, user: str) -> list[dict]:
    """Numbers that fail the check stop the registration unless the clerk confirms they were
    verified (a foreign passport, an old 15-digit number…) and says how; the case keeps that."""
    if not unchecked:
        return []
    reason = str(form.get("override_reason") or "").strip()[:500]
    if not form.get("override_numbers"):
        problems.extend(unchecked)
        return []
    if not reason:
        _error(problems, "override_reason", "请说明号码经核实无误的情况")
        return []
    return [{"field": p["field"], "reason": reason, "by": user} for p in unchecked]


def _int(value, field: str, problems: list, minimum: int = 1) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        _error(problems, field, "应为整数")
        return None
    if number < minimum:
        _error(problems, field, f"不能小于{minimum}")
    return number


def check_intake(form: dict, now: datetime, names: Names | None = None, *, user: str = "") -> dict:
    """The process's start data, or ValidationFailed with [{field, message}] for the form.
    `names` (the directory) resolves the region and the accused unit typed or picked by name."""
    problems: list[dict] = []
    unchecked: list[dict] = []
    text = {k: str(form.get(k) or "").strip() for k in
            ("channel", "source", "subject", "content", "purpose", "content_class", "problem_region", "organ",
             "accused_unit")}
    if text["channel"] not in CHANNELS:
        _error(problems, "channel", "请选择信访形式")
    if text["source"] and text["source"] not in SOURCES:
        _error(problems, "source", "请选择来源")
    if not text["subject"] or len(text["subject"]) > 200:
        _error(problems, "subject", "事由必填，最多200字")
    if not text["content"] or len(text["content"]) > 20000:
        _error(problems, "content", "内容必填")
    if text["purpose"] not in PURPOSES:
        _error(problems, "purpose", "请选择信访目的")
    if text["content_class"] not in CONTENT_CLASSES:
        _error(problems, "content_class", "请选择内容分类")
    region = None
    if text["problem_region"]:
        region, found = resolve_region(text["problem_region"], "problem_region")
        problems += found
    accused = None
    if text["accused_unit"] and names is not None:
        accused, found = resolve_unit(names, text["accused_unit"], "accused_unit")
        problems += found
    if text["organ"] and text["organ"] not in ORGAN_TYPES:
        _error(problems, "organ", "请选择被反映机关类型")
    anonymous = bool(form.get("anonymous"))
    raw_people = [p for p in (form.get("petitioners") or []) if isinstance(p, dict) and any(p.values())]
    if not anonymous and not raw_people:
        _error(problems, "petitioners.0.name", "至少登记一名信访人，或勾选匿名")
    petitioners = [_person(p, f"petitioners.{i}", problems, unchecked, need_name=not anonymous)
                   for i, p in enumerate(raw_people)]
    collective = bool(form.get("collective"))
    persons = _int(form.get("persons"), "persons", problems)
    raw_reps = [p for p in (form.get("representatives") or []) if isinstance(p, dict) and any(p.values())]
    if collective:
        if persons is None or persons < 5:
            _error(problems, "persons", "集体访人数应不少于5人")
        if len(raw_reps) > MAX_REPRESENTATIVES:
            _error(problems, "representatives", f"代表不超过{MAX_REPRESENTATIVES}人")
    elif raw_reps:
        _error(problems, "representatives", "只有集体访需要登记代表")
    representatives = [_person(p, f"representatives.{i}", problems, unchecked, need_name=True)
                       for i, p in enumerate(raw_reps)]
    overrides = _overrides(form, unchecked, problems, user)
    if problems:
        raise ValidationFailed("the registration form has errors", problems)
    data = {"channel": text["channel"], "source": text["source"] or SOURCES[0], "received_at": now.isoformat(),
            "subject": text["subject"], "content": text["content"], "purpose": text["purpose"],
            "category": CATEGORY_OF_PURPOSE.get(text["purpose"], "其他"), "content_class": text["content_class"],
            "problem_region": region, "region": region,
            "organ": text["organ"] or None, "anonymous": anonymous, "real_name": not anonymous,
            "petitioners": petitioners, "collective": collective, "persons": persons or max(1, len(petitioners)),
            "representatives": representatives}
    if accused or (text["accused_unit"] and names is None):
        data["accused_unit"] = (accused or text["accused_unit"])[:64]
    if overrides:
        data["number_overrides"] = overrides
    for flag in FLAGS:
        data[flag] = bool(form.get(flag))
    return data


class Intake:
    """Registration (登记): the options of the form, the petition itself, and possible repeats."""

    def __init__(self, core, cases, identities, codes=lambda session, case_id: None):
        self.core = core
        self.cases = cases
        self.identities = identities
        self.codes = codes            # (session, case id) -> the current query code

    @property
    def intake_process(self) -> str:
        return self.core.settings.extra.get("intake_process", INTAKE_PROCESS)

    def registration_options(self, *, user: str) -> dict:
        """The registration form's choices, for office staff only."""
        with self.core.uow(write=False) as uow:
            if not self.core.actor(uow.session, user).is_office:
                raise NotAllowed("only the petition office registers petitions")
            units = [{"code": u.code, "name": u.name} for u in
                     sorted(Names(uow.session).unit_rows.values(), key=lambda u: (u.kind, u.name)) if u.active]
        return {"channels": CHANNELS, "sources": SOURCES, "purposes": PURPOSES, "classes": CONTENT_CLASSES,
                "organs": ORGAN_TYPES, "flags": FLAGS, "max_reps": MAX_REPRESENTATIVES, "units": units}

    def register_petition(self, form: dict, *, user: str, now: datetime | None = None) -> dict:
        """The new case; for the registering clerk also its query code (`query_code`), shown once
        and printed on the 回执."""
        from engine.clock import utcnow
        with self.core.uow(write=False) as uow:
            if not self.core.actor(uow.session, user).is_office:
                raise NotAllowed("only the petition office registers petitions")
            data = check_intake(form if isinstance(form, dict) else {}, now or utcnow(), Names(uow.session),
                                user=user)
        case = self.cases.start_case(self.intake_process, data, user=user)
        with self.core.uow(write=False) as uow:
            if not self.core.actor(uow.session, user).meets_petitioners:
                return case
            code = self.codes(uow.session, case["id"])
            receipt = latest_of_kind(uow.session, case["id"], "回执")
        return {**case, "query_code": code, "receipt": receipt} if code else case

    def find_possible_repeats(self, id_number: str | None = None, name: str | None = None, *,
                              user: str, limit: int = 10) -> list[dict]:
        """Earlier cases of a person with this ID number or exact name (keyed hashes, nothing decrypted)."""
        id_number, name = (id_number or "").strip(), (name or "").strip()
        if not id_number and len(name) < 2:
            return []
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            if not actor.is_office:
                raise NotAllowed("only the petition office sees repeat hints")
            ids = self._case_ids_by_identity(uow.session, id_number=id_number, name=name)
            if not ids:
                return []
            rows = uow.session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.created_at.desc())
                                       .limit(limit)).all()
            return [{"id": c.id, "reg_no": c.reg_no, "subject": c.subject, "status": c.status,
                     "created_at": c.created_at.isoformat(), "petitioner": c.petitioner,
                     "matched_by": "id_number" if id_number else "name"} for c in rows]

    def _case_ids_by_identity(self, session, *, id_number: str = "", name: str = "") -> list[int]:
        from office.people.tables import Party
        conditions = []
        if id_number:
            conditions.append(Party.id_number_hash == self.identities.keys.digest(id_number))
        if name:
            conditions.append(Party.name_hash == self.identities.keys.digest(name))
        q = select(Party.case_id).where(Party.role == "petitioner", or_(*conditions)).distinct().limit(200)
        return list(session.scalars(q))

    def case_ids_by_name(self, session, name: str) -> list[int]:
        name = name.strip()
        return self._case_ids_by_identity(session, name=name) if 2 <= len(name) <= 20 else []
