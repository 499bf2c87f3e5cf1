"""Drives the shipped processes through the service API only, like the office's staff would."""
from __future__ import annotations

from stdnum.cn import ric

from office.operations.demo import setup_demo
from processes.gate_reasons import REASONS
from office.root import Services


def id_number(first17: str) -> str:
    """A resident ID number with its right check digit (registration refuses a wrong one)."""
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum reads the digit's place too


def petition(subject: str, *, channel: str = "来访", purpose: str = "求决", content_class: str = "城乡建设",
             name: str = "张建国", id_number: str = "11010119650101123X", content: str = "",
             **extra) -> dict:
    form = {"channel": channel, "subject": subject, "content": content or subject, "purpose": purpose,
            "content_class": content_class, "problem_region": "410602",
            "petitioners": [{"name": name, "id_number": id_number, "phone": "13800000000"}]}
    form.update(extra)
    return form


class Office:
    def __init__(self, services: Services):
        self.s = services
        self.codes: dict[int, str] = {}

    def register(self, form: dict, user: str = "clerk") -> int:
        """The clerk registers; the query code shown once at registration is kept for the petitioner."""
        case = self.s.intake.register_petition(form, user=user)
        self.codes[case["id"]] = case.get("query_code")
        return case["id"]

    def code(self, case_id: int) -> str:
        return self.codes[case_id]

    def open_ids(self, case_id: int) -> list[str]:
        """Open process steps (the scheduler's own 督办 tasks, 'supervise:<step>', are left out)."""
        return sorted(t["bpmn_id"] for t in self.s.tasks.list_tasks(case_id=case_id, per_page=100)["items"]
                      if ":" not in t["bpmn_id"])

    def task(self, case_id: int, bpmn_id: str) -> dict:
        found = [t for t in self.s.tasks.list_tasks(case_id=case_id, per_page=100)["items"] if t["bpmn_id"] == bpmn_id]
        assert found, f"no open task {bpmn_id}; open: {self.open_ids(case_id)}"
        return found[0]

    def do(self, case_id: int, bpmn_id: str, user: str, **data) -> dict:
        return self.s.tasks.complete_task(self.task(case_id, bpmn_id)["id"], user=user, data=data)

    def case(self, case_id: int) -> dict:
        return self.s.cases.get_case(case_id)

    def data(self, case_id: int) -> dict:
        return self.case(case_id)["data"]

    def path(self, case_id: int) -> list[str]:
        events = sorted(self.case(case_id)["events"], key=lambda e: e["id"])
        return [e["bpmn_id"] for e in events if e["bpmn_id"]]

    # common sequences ------------------------------------------------------------------------
    def triage(self, case_id: int, route: str, category: str | None = None, **extra) -> None:
        if route in ("不予受理", "不再受理") and "gate_reason" not in extra:
            extra["gate_reason"] = next(r.label for r in REASONS if r.route == route)
        self.do(case_id, "triage", "clerk", route=route, category=category or _category(route), **extra)

    def route_to_units(self, case_id: int, lead: str, *co: str, mode: str = "交办", **extra) -> None:
        self.do(case_id, "sign_off", "director", mode=mode, lead_unit=lead, co_units=list(co), **extra)

    def sign(self, case_id: int, user: str) -> None:
        self.do(case_id, "unit_sign", user, decision="签收")


def _category(route: str) -> str:
    return route if route in ("建议意见类", "申诉求决类", "检举控告类", "涉法涉诉") else "申诉求决类"


def make_office(services: Services) -> Office:
    setup_demo(services)
    return Office(services)
