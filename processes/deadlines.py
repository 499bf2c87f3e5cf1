"""Statutory limits as data: versioned tables per jurisdiction (processes/deadline_tables/).

A table file holds versions with an effective date; a case keeps the version that was in force
when its clock started (`load_table(on=...)`). A version may inherit another jurisdiction's
rules and override some (Zhejiang's 30-day routing limit, say).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from . import versioned
from .calendar import OfficeCalendar, end_of_day, local_day

TABLES = Path(__file__).resolve().parent / "deadline_tables"
UNITS = ("natural", "working")


@dataclass(frozen=True)
class Rule:
    name: str
    days: int
    unit: str
    label: str
    reminders: tuple[int, ...] = ()
    starts: str = ""


@dataclass(frozen=True)
class DeadlineTable:
    jurisdiction: str
    version: int
    effective: date
    source: str
    rules: dict[str, Rule]

    def rule(self, name: str) -> Rule:
        try:
            return self.rules[name]
        except KeyError:
            raise KeyError(f"no deadline rule {name!r} in table {self.jurisdiction} v{self.version}; "
                           f"known: {', '.join(sorted(self.rules))}") from None

    def due_date(self, name: str, start: date, calendar: OfficeCalendar | None = None,
                 days: int | None = None) -> date:
        """`days` overrides the rule's length (an extension shorter than the maximum)."""
        rule = self.rule(name)
        cal = calendar or OfficeCalendar()
        length = rule.days if days is None else days
        if rule.unit == "working":
            return cal.add_working_days(start, length)
        return cal.add_days(start, length)

    def due_at(self, name: str, start: datetime, calendar: OfficeCalendar | None = None,
               days: int | None = None) -> datetime:
        """24:00 (Asia/Shanghai) of the last day, as aware UTC; `start` is the triggering instant."""
        return end_of_day(self.due_date(name, local_day(start), calendar, days))


def jurisdictions(tables: Path = TABLES) -> list[str]:
    return versioned.names(tables)


def load_table(jurisdiction: str = "default", version: int | None = None, *, on: date | None = None,
               tables: Path = TABLES) -> DeadlineTable:
    """The given version, else the latest in force `on` that date, else the latest.
    "default" is the office's own table (processes/deadline_tables/default.json)."""
    doc = versioned.choose(versioned.document(tables, jurisdiction, "deadline table for jurisdiction"), version, on,
                           f"table {jurisdiction}")
    rules = dict(load_table(doc["inherits"], on=on, tables=tables).rules) if doc.get("inherits") else {}
    rules.update({name: _rule(name, spec) for name, spec in doc["rules"].items()})
    return DeadlineTable(jurisdiction, doc["version"], date.fromisoformat(doc["effective"]),
                         doc.get("source", ""), rules)


def _rule(name: str, spec: dict) -> Rule:
    if spec.get("unit") not in UNITS or not isinstance(spec.get("days"), int) or spec["days"] < 0:
        raise ValueError(f"deadline rule {name!r}: days must be a whole number and unit one of {UNITS}")
    return Rule(name, spec["days"], spec["unit"], spec.get("label", name),
                tuple(int(r) for r in spec.get("reminders", ())), spec.get("from", ""))
