"""What a case page shows: the case, its comments and attachments, what the user may do,
and the diagram with completed and active elements."""
from __future__ import annotations

from lxml import etree

from processes.masking import mask_id_number, mask_phone

from engine.bpmn import runtime
from engine.store import repository
from office.access import DECIDERS, Actor, check_can_reveal, check_case_visible
from office.cases.attachments import attachments_of

from office.cases.comments import comments_of
from office.kpi.counting import counting_of
from office.resolution.service import resolution_of
from office.cases.dossier import dossier
from office.directory.names import Names
from office.selfservice.service import WINDOWS
from processes.deadlines import load_table
from processes.due import as_instant
from engine.errors import NotAllowed, NotFound

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MASKED_KEYS = {"id_number": mask_id_number, "phone": mask_phone}


def mask_identities(value):
    """Whatever the storage holds, ID numbers and phones on a case page are masked for every role:
    full identities come only through `reveal_identities`, which logs who looked and why."""
    if isinstance(value, dict):
        return {k: (MASKED_KEYS[k](str(v)) if k in MASKED_KEYS and isinstance(v, str) and "*" not in v
                    else mask_identities(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_identities(v) for v in value]
    return value


def allowed_actions(actor: Actor, case) -> list[str]:
    actions = ["comment", "attach"]
    if actor.is_supervisor:
        actions += {"running": ["suspend", "terminate"], "suspended": ["resume", "terminate"],
                    "error": ["retry", "terminate"]}.get(case.status, [])
    try:
        check_can_reveal(actor, case)
        actions.append("reveal")
    except NotAllowed:
        pass
    return actions


def task_actions(actor: Actor, task: dict) -> list[str]:
    if task["state"] != "open":
        return []
    mine = task["assignee"] == actor.username
    out = []
    if task["assignee"] is None and set(task["groups"]) & actor.groups:
        out += ["claim", "complete"]
    if mine:
        out += ["unclaim", "delegate"] + (["resolve"] if task.get("owner") else ["complete"])
    if actor.is_supervisor:
        out.append("assign")
    return out


def diagram_of(bundle: dict, process_key: str) -> str:
    """The file of the bundle that holds the case's process."""
    for xml in bundle.values():
        try:
            root = etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
        except etree.XMLSyntaxError:
            continue
        if root.find(f"{{{BPMN_NS}}}process[@id='{process_key}']") is not None:
            return xml if isinstance(xml, str) else xml.decode("utf-8")
    raise NotFound(f"no diagram for process {process_key!r}")


def _name_codes(detail: dict, names: Names) -> None:
    """Names beside the codes a page would otherwise show (units, region, people)."""
    detail["unit_names"] = names.units(detail.get("unit"))
    detail["region_name"] = names.region(detail.get("region"))
    people = names.people([t.get("assignee") for t in detail["tasks"]] + [t.get("completed_by") for t in detail["tasks"]]
                          + [e.get("actor") for e in detail["events"]])
    for task in detail["tasks"]:
        task["assignee_name"] = people.get(task.get("assignee"), "")
        task["completed_by_name"] = people.get(task.get("completed_by"), "")
        task["unit_names"] = names.units(task.get("unit"))
    for event in detail["events"]:
        event["actor_name"] = people.get(event.get("actor"), event.get("actor") or "")


def _name_deciders(counting: dict, resolution: dict, names: Names) -> None:
    """Who set 纳入统计 and 化解, by name (the rule's own decisions read as the system's)."""
    counting["decided_by_name"] = names.person(counting.get("decided_by"))
    for entry in ([resolution["current"]] if resolution["current"] else []) + resolution["history"]:
        entry["decided_by_name"] = names.person(entry.get("decided_by"))


def deadline_list(data: dict, jurisdiction: str, timers: list) -> list[dict]:
    """The case's named deadlines with their labels (the deadline table's), provisional ones marked,
    and any other waiting timer of the diagram by its element's name."""
    try:
        rules = load_table(jurisdiction).rules
    except (KeyError, ValueError, OSError):
        rules = {}
    notes = data.get("deadline_notes") or {}
    named = [{"name": name, "label": rules[name].label if name in rules else name, "due_at": at,
              "note": notes.get(name)} for name, at in (data.get("deadlines") or {}).items() if at]
    instants = {as_instant(d["due_at"]) for d in named}
    return named + [{"name": t.bpmn_id, "label": t.name, "due_at": t.due_at.isoformat(), "note": None}
                    for t in timers if t.due_at not in instants]


class CasePage:
    """What a case page shows, assembled for the person asking."""

    def __init__(self, core, cases, documents):
        self.core = core
        self.cases = cases
        self.documents = documents

    def case_page(self, case_id: int, *, user: str) -> dict:
        """The case file as the user may read it: names for codes, the dossier, deadlines as last
        days, the petitioner's windows apart from the office's work."""
        detail = self.cases.get_case(case_id, user=user)
        with self.core.uow(write=False) as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            case = repository.get_case(session, case_id)
            names = Names(session)
            detail["comments"] = comments_of(session, case_id)
            detail["attachments"] = attachments_of(session, case_id)
            owners = {t.task_uuid: t.owner for t in repository.tasks_of_case(session, case_id)}
            detail["actions"] = allowed_actions(actor, case)
            detail["dossier"] = dossier(session, case, detail["data"], lambda key: self.core.forms.get(key, case),
                                        names)
            _name_codes(detail, names)
            detail["deadlines"] = deadline_list(detail["data"], self.core.settings.jurisdiction,
                                                runtime.waiting_timers(self.core.runner.workflow_of(case)))
            detail["can_reissue_code"] = bool(actor.meets_petitioners and case.reg_no)
            owner_names = names.people(owners.values())
            detail["counting"] = counting_of(session, case_id, detail.get("data") or {})
            detail["resolution"] = resolution_of(session, case_id)
            _name_deciders(detail["counting"], detail["resolution"], names)
            detail["can_decide"] = bool(actor.groups & DECIDERS)
        for task in detail["tasks"]:
            task["owner"] = owners.get(task["id"])
            task["owner_name"] = owner_names.get(task["owner"], "")
            task["actions"] = task_actions(actor, task)
            task["window"] = WINDOWS.get(task["bpmn_id"])
        detail["documents"] = self.documents.list_documents(case_id, user=user)
        return mask_identities(detail)

    def case_diagram(self, case_id: int, *, user: str) -> dict:
        """The diagram XML of the case's definition and the BPMN ids done and waiting."""
        with self.core.uow(write=False) as uow:
            case = repository.get_case(uow.session, case_id)
            actor = self.core.actor(uow.session, user)
            check_case_visible(actor, case, uow.session)
            if not (actor.is_office or actor.unit):
                raise NotAllowed("no diagrams for your role")
            key, completed, active = runtime.progress(self.core.runner.workflow_of(case), case.process_key)
            return {"case_id": case.id, "process_key": case.process_key, "version": case.definition_version,
                    "xml": diagram_of(case.definition.bundle, key), "shown_process": key,
                    "completed": sorted(completed), "active": sorted(active)}
