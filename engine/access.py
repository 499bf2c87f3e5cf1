"""Who may see and act on what. Checked in the service layer, whatever the caller."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import NotAllowed
from .models import Case, HumanTask

SUPERVISORS = frozenset({"director", "admin"})
OFFICE = frozenset({"clerk", "director", "leader", "legal_advisor", "admin", "analyst"})


@dataclass(frozen=True)
class Actor:
    username: str
    groups: frozenset[str] = field(default_factory=frozenset)
    unit: str | None = None

    @property
    def is_supervisor(self) -> bool:
        return bool(self.groups & SUPERVISORS)

    @property
    def is_office(self) -> bool:
        return bool(self.groups & OFFICE)


SYSTEM = Actor("system", frozenset({"admin"}))


def check_case_visible(actor: Actor, case: Case) -> None:
    """The accused unit never sees a report against it (《信访工作条例》第30条), whatever its role."""
    if actor.unit and case.accused_unit and actor.unit == case.accused_unit:
        raise NotAllowed("this case is not available to your unit")
    if actor.is_office or actor.unit is None:
        return
    if not case.unit:
        raise NotAllowed("this case has not been sent to your unit")
    if actor.unit != case.unit and not _unit_in(actor.unit, case.unit):
        raise NotAllowed("this case belongs to another unit")


def _unit_in(unit: str, units: str) -> bool:
    return unit in {u.strip() for u in units.split(",")}


def check_can_work(actor: Actor, task: HumanTask) -> None:
    if actor.unit and task.unit and not _unit_in(actor.unit, task.unit):
        raise NotAllowed("this step belongs to another unit")
    if task.assignee:
        if task.assignee != actor.username:
            raise NotAllowed(f"task is assigned to {task.assignee}")
        return
    groups = {g for g in task.groups.split(",") if g}
    if not groups & actor.groups:
        raise NotAllowed(f"task is for group(s) {', '.join(sorted(groups))}; you are not a member")


REVEAL_GROUPS = frozenset({"director", "clerk", "legal_advisor"})
ACCUSATION_REVEAL_GROUPS = frozenset({"director", "discipline"})


def is_accusation(case: Case) -> bool:
    return bool(case.accused_unit) or (case.category or "").startswith("检举控告")


def check_can_reveal(actor: Actor, case: Case) -> None:
    """Full identities only for roles whose duty needs them; a reporter's only for those handling it."""
    check_case_visible(actor, case)
    allowed = ACCUSATION_REVEAL_GROUPS if is_accusation(case) else REVEAL_GROUPS
    if not actor.groups & allowed:
        raise NotAllowed("your role may not see full identity data of this case")


ROUTING_FIELDS = ("lead_unit", "organ_unit", "unit")


def check_not_routed_to_accused(case: Case, data: dict) -> None:
    """A form may never send a report to the unit it accuses (《信访工作条例》第30条)."""
    accused = case.accused_unit
    if not accused or not isinstance(data, dict):
        return
    named = {str(data.get(f) or "") for f in ROUTING_FIELDS}
    named |= {str(u) for u in (data.get("co_units") or []) if isinstance(data.get("co_units"), list)}
    if accused in named:
        raise NotAllowed("检举控告事项不得交给被反映单位 (a report never goes to the accused unit)")
