"""Names for codes: what a person reads wherever a unit, a region or a user is stored as a code.

`Names(session)` reads the unit directory once and user names as asked; every feature that
shows a case, a task, a figure or a letter turns codes into names through it.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Unit, User
from office.directory import regions

# The system's own actors, as people read them.
ACTORS = {"system": "系统", "scheduler": "系统（定时）", "petitioner": "信访人（自助查询）"}
UNIT_FIELDS = frozenset({"lead_unit", "co_units", "co_unit", "organ_unit", "unit", "accused_unit", "joint_units"})
REGION_FIELDS = frozenset({"problem_region", "region"})


def picker_of(name: str, schema: dict | None) -> str | None:
    """"unit" or "region" for a field that names one (its `x-picker`, or the field's name in forms
    deployed before pickers existed), else None."""
    found = (schema or {}).get("x-picker")
    if found in ("unit", "region"):
        return found
    if name in UNIT_FIELDS:
        return "unit"
    return "region" if name in REGION_FIELDS else None


def split_units(value) -> list[str]:
    """A unit field holds one code, a list of codes, or (the case row) a comma-joined list."""
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


class Names:
    def __init__(self, session: Session):
        self.session = session
        self._units: dict[str, Unit] | None = None
        self._people: dict[str, str] = {}

    @property
    def unit_rows(self) -> dict[str, Unit]:
        if self._units is None:
            self._units = {u.code: u for u in self.session.scalars(select(Unit))}
        return self._units

    def unit(self, code: str | None) -> str:
        found = self.unit_rows.get(code or "")
        return found.name if found is not None else (code or "")

    def units(self, value) -> str:
        """"区人民政府、区住房和城乡建设局" for "district_gov,housing" (or a list of codes)."""
        return "、".join(self.unit(code) for code in split_units(value))

    def region(self, code: str | None) -> str:
        return regions.name(code)

    def person(self, username: str | None) -> str:
        if not username:
            return ""
        if username in ACTORS:
            return ACTORS[username]
        if username not in self._people:
            self._people[username] = self.session.scalar(
                select(User.display_name).where(User.username == username)) or username
        return self._people[username]

    def people(self, usernames) -> dict[str, str]:
        """Display names of many users in one query."""
        wanted = {u for u in usernames if u and u not in ACTORS and u not in self._people}
        if wanted:
            found = dict(self.session.execute(select(User.username, User.display_name)
                                              .where(User.username.in_(sorted(wanted)))).all())
            self._people.update({u: found.get(u) or u for u in wanted})
        return {u: self.person(u) for u in usernames if u}

    def value(self, picker: str | None, value):
        """A stored form value as read: unit and region codes become names."""
        if picker == "unit":
            return self.units(value)
        if picker == "region":
            return self.region(value)
        return value
