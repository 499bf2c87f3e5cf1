"""How identity data is shown to people who may not see it in full."""
from __future__ import annotations


def mask_name(name: str | None) -> str:
    """张三丰 → 张**; a single character stays recognisable only as a surname."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id_number(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def petitioner_label(petitioners: list[dict] | None, anonymous: bool = False) -> str:
    """The masked label a list shows: first petitioner, and how many more."""
    people = [p for p in (petitioners or []) if isinstance(p, dict)]
    if anonymous or not people:
        return "匿名" if anonymous else ""
    label = mask_name(people[0].get("name"))
    return f"{label} 等{len(people)}人" if len(people) > 1 else label
