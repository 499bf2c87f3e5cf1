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


class CasePage:
    """What a case page shows, assembled for the person asking."""

    def __init__(self, core, cases, documents):
        self.core = core
        self.cases = cases
        self.documents = documents

    def case_page(self, case_id: int, *, user: str) -> dict:
        detail = self.cases.get_case(case_id, user=user)
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            detail["comments"] = comments_of(uow.session, case_id)
            detail["attachments"] = attachments_of(uow.session, case_id)
            owners = {t.task_uuid: t.owner for t in repository.tasks_of_case(uow.session, case_id)}
            detail["actions"] = allowed_actions(actor, repository.get_case(uow.session, case_id))
            detail["counting"] = counting_of(uow.session, case_id, detail.get("data") or {})
            detail["resolution"] = resolution_of(uow.session, case_id)
            detail["can_decide"] = bool(actor.groups & DECIDERS)
        for task in detail["tasks"]:
            task["owner"] = owners.get(task["id"])
            task["actions"] = task_actions(actor, task)
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
