"""Who may see and act on what. Checked in the service layer, whatever the caller."""
from __future__ import annotations

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from engine.core import Actor as CoreActor
from engine.errors import NotAllowed, ValidationFailed
from engine.queries import offered_to
from engine.store.models import Case, HumanTask

# The office's roles (groups a user may be given) and who may do what: the only definition.
ROLES = ("clerk", "director", "leader", "unit_staff", "legal_advisor", "analyst", "admin", "discipline", "deputy")
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
# 检举控告 (《信访工作条例》第30条): the one rule of who sees that a report exists, opens it and reveals
# its parties (see accusation_access). The accused unit never sees it, whatever the role.
ACCUSATION_READERS = frozenset({"director", "discipline", "clerk"})     # every report: exists, opens (masked)
ACCUSATION_REVEAL_GROUPS = frozenset({"director", "discipline"})       # and reveals its parties
# Names the system acts under: never a user's name, in any letter case (checked at every way in).
RESERVED_NAMES = frozenset({"system", "scheduler", "petitioner", "scenario", "anonymous", "root"})


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
        return bool(self.groups & PETITIONER_FACING) or self.is_internal

    @property
    def is_internal(self) -> bool:
        """The system's own actor: safe to tell by name, as no user may bear a reserved name."""
        return self.username in INTERNAL_ACTORS


def check_can_decide(actor: Actor) -> None:
    if not actor.groups & DECIDERS:
        raise NotAllowed("only the director sets a case's 化解 or 纳入统计")


def check_admin(actor: Actor) -> None:
    if "admin" not in actor.groups:
        raise NotAllowed("only an administrator manages users, groups and units")


SYSTEM = Actor("system", frozenset({"admin"}))
# The system's own actors act with full rights and are never looked up as user accounts.
INTERNAL_ACTORS = {"system": SYSTEM, "scheduler": Actor("scheduler", frozenset({"admin"}))}
assert RESERVED_NAMES >= set(INTERNAL_ACTORS)


def is_reserved_name(username: str | None) -> bool:
    """A name the system acts under (system, scheduler, petitioner, …), in any letter case."""
    return (username or "").strip().lower() in RESERVED_NAMES


def check_not_reserved(username: str | None) -> None:
    if is_reserved_name(username):
        raise ValidationFailed(f"user name {username!r} is reserved for the system's own actors "
                               f"({', '.join(sorted(RESERVED_NAMES))})", [{"field": "username", "message": "reserved"}])


def check_case_visible(actor: Actor, case: Case, session: Session, *, working: bool = False) -> None:
    """The accused unit never sees a report against it (《信访工作条例》第30条), whatever its role.
    Someone outside the office and without a unit sees only the cases they work on; `working` says
    the caller has already checked that the actor may work a task of this case (check_can_work)."""
    if actor.unit and case.accused_unit and actor.unit == case.accused_unit:
        raise NotAllowed("this case is not available to your unit")
    if is_accusation(case) and accusation_access(actor, case, session, working=working) == "none":
        raise NotAllowed("检举控告事项仅限主任、纪检监察和经办人员查阅 (reports are for the director, "
                         "discipline inspection and those handling them)")
    if actor.is_office:
        return
    if actor.unit is None:
        if working:
            return
        if session.scalar(select(exists().where(HumanTask.case_id == case.id, involved(actor)))):
            return
        raise NotAllowed("your account has no unit; you see only the cases you have a task on")
    if case.unit and (actor.unit == case.unit or _unit_in(actor.unit, case.unit)):
        return
    if _given_follow_up(actor, case, session):
        return
    if not case.unit:
        raise NotAllowed("this case has not been sent to your unit")
    raise NotAllowed("this case belongs to another unit")


def _given_follow_up(actor: Actor, case: Case, session: Session) -> bool:
    """A unit the 代表恳谈会 gave a follow-up task on a case reads that case, to do the task."""
    return bool(session.scalar(select(exists().where(HumanTask.case_id == case.id, HumanTask.kind == "follow_up",
                                                     unit_match(HumanTask.unit, actor.unit)))))


def involved(actor: Actor, task=HumanTask):
    """Tasks the actor holds, did, or that are open for a group of theirs: what a user without a unit
    sees cases through. `task`: HumanTask or an alias of it."""
    for_my_group = (task.state == "open") & task.unit.is_(None) & offered_to(actor.groups, task)
    return or_(task.assignee == actor.username, task.completed_by == actor.username, for_my_group)


def unit_match(column, unit: str):
    """`column` holds one unit code or a comma-joined list of them (lead and co-handling units)."""
    return or_(column == unit, column.like(f"{unit},%"), column.like(f"%,{unit}"), column.like(f"%,{unit},%"))


def task_scope(actor: Actor, unit_rows=None) -> list:
    """Which open tasks an inbox may show: a unit's own, never a report against it; without a unit
    and outside the office, no unit's tasks unless assigned by name; reports only as
    accusation_access allows. `unit_rows`: a narrower form of "the unit's rows" to use instead of
    unit_match (one of the inbox's disjoint parts, office/inbox/service.py `unit_branches`)."""
    own_rows = unit_match(HumanTask.unit, actor.unit) if unit_rows is None else unit_rows
    if actor.unit and not actor.is_office and not (actor.groups & ACCUSATION_READERS or actor.is_internal):
        # unit staff: the same rule as _hidden_accusations, asked of each candidate row's own case by
        # its key, as a scalar subquery: a list of every hidden case scanned all cases on every page
        # (SQLite), and PostgreSQL turned NOT EXISTS into an anti-join over a scan of all cases (4 s
        # at a million). Its conditions are in its WHERE, so whether the user is involved in the case
        # is asked (by the case's key) only of a report outside the unit; tested IS NOT TRUE (not IS
        # NULL), PostgreSQL then guesses half the rows pass, not 0.5 %, and walks the page's index in
        # due order instead of sorting every open task of the category.
        other = aliased(HumanTask)
        involved_here = exists().where(other.case_id == Case.id, involved(actor, other))
        hidden_here = select(true()).where(Case.id == HumanTask.case_id, accusation_sql(),
                                           ~unit_match(func.coalesce(Case.unit, ""), actor.unit),
                                           ~involved_here).scalar_subquery()
        return [own_rows, hidden_here.is_not(true()),
                HumanTask.case_id.not_in(select(Case.id).where(Case.accused_unit == actor.unit))]
    hidden = _hidden_accusations(actor)
    scope = [] if hidden is None else [HumanTask.case_id.not_in(hidden)]
    if actor.is_office and not actor.unit:
        return scope
    if not actor.unit:
        return scope + [or_(HumanTask.unit.is_(None), HumanTask.assignee == actor.username)]
    scope += [] if actor.is_office else [own_rows]
    return scope + [HumanTask.case_id.not_in(select(Case.id).where(Case.accused_unit == actor.unit))]


def case_scope(actor: Actor) -> list:
    """The SQL form of check_case_visible, for lists and counts of cases."""
    hidden = _hidden_accusations(actor)
    scope = [] if hidden is None else [Case.id.not_in(hidden)]
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


def accusation_sql():
    """The SQL form of is_accusation."""
    return or_(and_(Case.accused_unit.is_not(None), Case.accused_unit != ""), func.coalesce(Case.category, "").like("检举控告%"))


def accusation_access(actor: Actor, case: Case | None = None, session: Session | None = None, *,
                      working: bool = False) -> str:
    """THE rule for 检举控告 (《信访工作条例》第30条; docs/security.md, "Who sees what"): "reveal",
    "open" or "none" — "open" includes seeing that the report exists (lists, inbox, counts, search).

    - the accused unit: "none", always (check_case_visible says so first);
    - director and discipline inspection (`discipline`): "reveal";
    - clerk (registers the report and answers a real-name reporter): "open", parties masked;
    - staff of the unit the report is routed to (the 纪检监察 organ), or whoever holds, did or may
      claim one of its steps: "open", parties masked;
    - everyone else — leader, legal advisor, analyst, administrator, other units: "none".
    The system's own actors open every report but reveal none."""
    if case is not None and actor.unit and case.accused_unit and actor.unit == case.accused_unit:
        return "none"
    if actor.groups & ACCUSATION_REVEAL_GROUPS:
        return "reveal"
    if actor.groups & ACCUSATION_READERS or actor.is_internal:
        return "open"
    if case is None:
        return "none"
    if working or (actor.unit and case.unit and _unit_in(actor.unit, case.unit)):
        return "open"
    if session is not None and session.scalar(select(exists().where(HumanTask.case_id == case.id, involved(actor)))):
        return "open"
    return "none"


def _hidden_accusations(actor: Actor):
    """The reports `actor` may not know of (SQL: their case ids), or None when none is hidden beyond
    the accused unit's wall; the list form of accusation_access."""
    if actor.groups & ACCUSATION_READERS or actor.is_internal:
        return None
    allowed = [Case.id.in_(select(HumanTask.case_id).where(involved(actor)))]
    allowed += [unit_match(func.coalesce(Case.unit, ""), actor.unit)] if actor.unit else []
    return select(Case.id).where(accusation_sql(), ~or_(*allowed))


WITHHELD_SUBJECT = "检举控告事项（依法保密）"


def withhold_reports(session: Session, actor: Actor, items: list[dict]) -> list[dict]:
    """Rows of a figure's or a ledger's case list (dicts with case_id): a report `actor` may not
    know of keeps its place in the count but shows neither subject, registration number nor
    petitioner."""
    hidden_q = _hidden_accusations(actor)
    ids = [i["case_id"] for i in items if i.get("case_id") is not None]
    if hidden_q is None or not ids:
        return items
    hidden = set(session.scalars(select(Case.id).where(Case.id.in_(ids), Case.id.in_(hidden_q))))
    return [{**i, "subject": WITHHELD_SUBJECT, "reg_no": "", "petitioner": ""} if i.get("case_id") in hidden else i
            for i in items]


def check_can_reveal(actor: Actor, case: Case) -> None:
    """Full identities only for roles whose duty needs them; a report's parties only as
    accusation_access allows. Callers check visibility first (check_case_visible)."""
    if is_accusation(case):
        if accusation_access(actor, case) != "reveal":
            raise NotAllowed("only the director and discipline inspection may see the parties of a report")
        return
    if not actor.groups & REVEAL_GROUPS:
        raise NotAllowed("your role may not see full identity data of this case")


def may_search_names(actor: Actor) -> bool:
    """Searching by a person's name is a reveal in disguise: only roles that may reveal identities."""
    return bool(actor.groups & (REVEAL_GROUPS | ACCUSATION_REVEAL_GROUPS))


def name_search_scope(actor: Actor):
    """Which cases a name search may match for `actor`: SQL on Case, false() when none."""
    if not may_search_names(actor):
        return false()
    if actor.groups & ACCUSATION_REVEAL_GROUPS and actor.groups & REVEAL_GROUPS:
        return true()
    if actor.groups & REVEAL_GROUPS:
        return ~accusation_sql()
    return accusation_sql()


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
