"""Who may see and act on what. Checked in the service layer, whatever the caller."""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.core import Actor as CoreActor
from engine.errors import NotAllowed
from engine.store.models import Case, HumanTask, HumanTaskGroup

# The office's roles (groups a user may be given) and who may do what: the only definition.
ROLES = ("clerk", "director", "leader", "unit_staff", "legal_advisor", "analyst", "admin", "deputy")
SUPERVISORS = frozenset({"director", "admin"})
OFFICE = frozenset({"clerk", "director", "leader", "legal_advisor", "admin", "analyst"})
KPI_READERS = frozenset({"director", "leader", "analyst", "admin"})       # every unit's figures
ANALYSTS = KPI_READERS                                                     # hot spots, the 恳谈会 selection
EVALUATORS = frozenset({"director", "analyst", "admin", "legal_advisor"})  # the 评 weights and imported rates
EVALUATION_READERS = EVALUATORS | ANALYSTS
EDITORS = frozenset({"analyst", "admin"})                                  # edit, deploy and migrate processes
REVEAL_GROUPS = frozenset({"director", "clerk", "legal_advisor"})
DECIDERS = frozenset({"director"})           # set or correct a case's 化解 and its 纳入统计, with a reason
PETITIONER_FACING = frozenset({"clerk", "director", "leader", "legal_advisor"})   # who meets petitioners
ACCUSATION_REVEAL_GROUPS = frozenset({"director", "discipline"})


class Actor(CoreActor):
    """An actor with the office's roles, as the sets above define them."""

    __slots__ = ()

    @property
    def is_supervisor(self) -> bool:
        return bool(self.groups & SUPERVISORS)

    @property
    def is_office(self) -> bool:
        return bool(self.groups & OFFICE)

    @property
    def meets_petitioners(self) -> bool:
        """May see a petitioner's query code (and the letters that print it)."""
        return bool(self.groups & PETITIONER_FACING) or self.username in ("system", "scheduler")


def check_can_decide(actor: Actor) -> None:
    if not actor.groups & DECIDERS:
        raise NotAllowed("only the director sets a case's 化解 or 纳入统计")


def check_admin(actor: Actor) -> None:
    if "admin" not in actor.groups:
        raise NotAllowed("only an administrator manages users, groups and units")


SYSTEM = Actor("system", frozenset({"admin"}))
# The system's own actors act with full rights and are never looked up as user accounts.
INTERNAL_ACTORS = {"system": SYSTEM, "scheduler": Actor("scheduler", frozenset({"admin"}))}


def check_case_visible(actor: Actor, case: Case, session: Session, *, working: bool = False) -> None:
    """The accused unit never sees a report against it (《信访工作条例》第30条), whatever its role.
    Someone outside the office and without a unit sees only the cases they work on; `working` says
    the caller has already checked that the actor may work a task of this case (check_can_work)."""
    if actor.unit and case.accused_unit and actor.unit == case.accused_unit:
        raise NotAllowed("this case is not available to your unit")
    if actor.is_office:
        return
    if actor.unit is None:
        if working:
            return
        if session.scalar(select(exists().where(HumanTask.case_id == case.id, involved(actor)))):
            return
        raise NotAllowed("your account has no unit; you see only the cases you have a task on")
    if not case.unit:
        raise NotAllowed("this case has not been sent to your unit")
    if actor.unit != case.unit and not _unit_in(actor.unit, case.unit):
        raise NotAllowed("this case belongs to another unit")


def involved(actor: Actor):
    """Tasks the actor holds, did, or that are open for a group of theirs: what a user without a unit
    sees cases through."""
    for_my_group = (HumanTask.state == "open") & HumanTask.unit.is_(None) & exists().where(
        HumanTaskGroup.task_id == HumanTask.id, HumanTaskGroup.group_name.in_(sorted(actor.groups)))
    return or_(HumanTask.assignee == actor.username, HumanTask.completed_by == actor.username, for_my_group)


def unit_match(column, unit: str):
    """`column` holds one unit code or a comma-joined list of them (lead and co-handling units)."""
    return or_(column == unit, column.like(f"{unit},%"), column.like(f"%,{unit}"), column.like(f"%,{unit},%"))


def task_scope(actor: Actor) -> list:
    """Which open tasks an inbox may show: a unit's own, never a report against it; without a unit
    and outside the office, no unit's tasks unless assigned by name."""
    if actor.is_office and not actor.unit:
        return []
    if not actor.unit:
        return [or_(HumanTask.unit.is_(None), HumanTask.assignee == actor.username)]
    scope = [] if actor.is_office else [unit_match(HumanTask.unit, actor.unit)]
    return scope + [HumanTask.case_id.not_in(select(Case.id).where(Case.accused_unit == actor.unit))]


def case_scope(actor: Actor) -> list:
    """The SQL form of check_case_visible, for lists and counts of cases."""
    scope = []
    if actor.unit and not actor.is_office:
        scope.append(unit_match(Case.unit, actor.unit))
    if actor.unit:
        scope.append(or_(Case.accused_unit.is_(None), Case.accused_unit != actor.unit))
    if not actor.is_office and actor.unit is None:
        scope.append(Case.id.in_(select(HumanTask.case_id).where(involved(actor))))
    return scope


def _unit_in(unit: str, units: str) -> bool:
    return unit in {u.strip() for u in units.split(",")}


def check_can_work(actor: Actor, task: HumanTask) -> None:
    if actor.unit and task.unit and not _unit_in(actor.unit, task.unit):
        raise NotAllowed("this step belongs to another unit")
    if task.unit and not actor.unit and not actor.is_office and task.assignee != actor.username:
        raise NotAllowed("this step belongs to a handling unit; your account has no unit")
    if task.assignee:
        if task.assignee != actor.username:
            raise NotAllowed(f"task is assigned to {task.assignee}")
        return
    groups = {g for g in task.groups.split(",") if g}
    if not groups & actor.groups:
        raise NotAllowed(f"task is for group(s) {', '.join(sorted(groups))}; you are not a member")


def is_accusation(case: Case) -> bool:
    return bool(case.accused_unit) or (case.category or "").startswith("检举控告")


def check_can_reveal(actor: Actor, case: Case) -> None:
    """Full identities only for roles whose duty needs them; a reporter's only for those handling it.
    Callers check visibility first (check_case_visible)."""
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
