"""The escalation ladder (督办阶梯) as data: versioned per jurisdiction, beside the deadline tables.

A ladder says what happens once a step's deadline has run out, in days after its last day:
the numbered 督办函 (repeating), the notice to the director, the director's supervision task and
the leader's list. Like a deadline table, a file holds versions with an effective date, a version
may inherit another jurisdiction's ladder and override some rungs, and a task keeps the version in
force when its deadline was set. A jurisdiction without a ladder file uses "default".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from . import versioned

LADDERS = Path(__file__).resolve().parent / "escalation_ladders"
RUNGS = ("letter", "director_notice", "director_task", "leader_list")
SUPERVISION_DECISIONS = ("约谈", "通报", "挂牌督办", "继续督办")   # the director's choices on the ladder's task


@dataclass(frozen=True)
class Rung:
    name: str
    after_days: int
    label: str
    every_days: int = 0          # > 0: repeats while the step stays overdue (the numbered letters)
    office_label: str = ""


@dataclass(frozen=True)
class Ladder:
    jurisdiction: str
    version: int
    effective: date
    source: str
    rungs: dict[str, Rung]
    lookback_days: int = 15

    def ordered(self) -> list[Rung]:
        return sorted(self.rungs.values(), key=lambda r: (r.after_days, RUNGS.index(r.name)))

    def first_at(self, rung: Rung, due: datetime) -> datetime:
        return due + timedelta(days=rung.after_days)

    def instances_due(self, rung: Rung, due: datetime, now: datetime) -> int:
        """How many firings of `rung` are due by `now` (0, 1, or more for a repeating rung)."""
        first = self.first_at(rung, due)
        if now < first:
            return 0
        if rung.every_days <= 0:
            return 1
        return 1 + int((now - first) // timedelta(days=rung.every_days))

    def instance_at(self, rung: Rung, due: datetime, n: int) -> datetime:
        """The instant of the n-th firing (1-based) of `rung`."""
        return self.first_at(rung, due) + timedelta(days=rung.every_days * (n - 1))


def ladder_jurisdictions(ladders: Path = LADDERS) -> list[str]:
    return versioned.names(ladders)


def load_ladder(jurisdiction: str = "default", version: int | None = None, *, on: date | None = None,
                ladders: Path = LADDERS) -> Ladder:
    """The given version, else the latest in force `on` that date, else the latest; a jurisdiction
    that has a deadline table but no ladder of its own climbs the office's default ladder."""
    if jurisdiction not in ladder_jurisdictions(ladders):
        jurisdiction = "default"
    doc = versioned.choose(versioned.document(ladders, jurisdiction, "escalation ladder"), version, on,
                           f"ladder {jurisdiction}")
    parent = load_ladder(doc["inherits"], on=on, ladders=ladders) if doc.get("inherits") else None
    rungs = dict(parent.rungs) if parent else {}
    rungs.update({name: _rung(name, spec) for name, spec in doc.get("rungs", {}).items()})
    lookback = doc.get("lookback_days", parent.lookback_days if parent else 15)
    if not isinstance(lookback, int) or lookback < 1:
        raise ValueError(f"ladder {jurisdiction} v{doc['version']}: lookback_days must be a whole number ≥ 1")
    return Ladder(jurisdiction, doc["version"], date.fromisoformat(doc["effective"]), doc.get("source", ""),
                  rungs, lookback)


def _rung(name: str, spec: dict) -> Rung:
    if name not in RUNGS:
        raise ValueError(f"unknown ladder rung {name!r}; known: {', '.join(RUNGS)}")
    after, every = spec.get("after_days"), spec.get("every_days", 0)
    if not isinstance(after, int) or after < 0 or not isinstance(every, int) or every < 0:
        raise ValueError(f"ladder rung {name!r}: after_days and every_days must be whole numbers ≥ 0")
    return Rung(name, after, spec.get("label", name), every, spec.get("office_label", ""))
