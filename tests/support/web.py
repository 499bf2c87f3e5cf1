"""The small web office the end-to-end tests share: users of every role, three units, the intake
diagram; a signed-in test client; petitions started and routed through the service API."""
from __future__ import annotations

import re
import threading

from office.root import Services
from tests.support.web_diagrams import PROCESS

PASSWORD = "secret-pass-1"
USERS = {   # username: (groups, unit)
    "clerk": (["clerk"], None),
    "director": (["director"], None),
    "leader": (["leader"], None),
    "advisor": (["legal_advisor"], None),
    "analyst": (["analyst"], None),
    "admin": (["admin"], None),
    "gov": (["unit_staff"], "district_gov"),
    "gov2": (["unit_staff"], "district_gov"),
    "court": (["unit_staff"], "district_court"),
    "disc": (["unit_staff"], "discipline"),
    "nounit": (["unit_staff"], None),      # an account an administrator forgot to give a unit
}
UNITS = {"district_gov": "区人民政府", "district_court": "区人民法院", "discipline": "区纪委监委"}


def make_office(svc: Services) -> Services:
    for code, name in UNITS.items():
        svc.users.add_unit(code, name)
    for name, (groups, unit) in USERS.items():
        svc.users.add_user(name, groups=groups, password=PASSWORD, unit=unit, display_name=name)
    svc.processes.deploy({f"{PROCESS}.bpmn": (svc.settings.bpmn_dir / f"{PROCESS}.bpmn").read_text()})
    return svc


class Browser:
    """A test client signed in as one user, that finds CSRF tokens in the pages it gets."""

    def __init__(self, client):
        self.client = client
        self.token = ""

    def csrf(self) -> str:
        page = self.client.get("/public/").get_data(as_text=True)
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self.token

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token or self.csrf())
        return self.client.post(url, data=data, **kw)

    def get(self, url, **kw):
        return self.client.get(url, **kw)


def sign_in(app, username: str | None, password: str = PASSWORD) -> Browser:
    browser = Browser(app.test_client())
    if username:
        response = browser.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        browser.csrf()          # signing in starts a new session, with a new CSRF secret
    return browser


def demo_sign_in(app, username: str) -> Browser:
    """The demo office's accounts (`make run`'s users, password "demo")."""
    return sign_in(app, username, password="demo")


SAMPLE_PETITION = {
    "channel": "来访", "subject": "拖欠工资", "content": "某公司拖欠农民工工资三个月。", "purpose": "求决",
    "content_class": "劳动和社会保障", "problem_region": "110105",
    "petitioners": [{"name": "张三丰", "id_number": "110105199001011232", "phone": "13812345678",
                     "address": "北京市朝阳区某街道1号"}],
}


def start_petition(svc: Services, **changes) -> dict:
    return svc.intake.register_petition({**SAMPLE_PETITION, **changes}, user="clerk")


def open_task(svc: Services, case_id: int, bpmn_id: str) -> dict:
    tasks = [t for t in svc.cases.get_case(case_id)["tasks"] if t["state"] == "open" and t["bpmn_id"] == bpmn_id]
    assert tasks, f"no open {bpmn_id} in case {case_id}"
    return tasks[0]


def route_to(svc: Services, case_id: int, unit: str) -> dict:
    """Triage sends the case to `unit`; returns the unit's open task."""
    triage = open_task(svc, case_id, "triage")
    svc.tasks.complete_task(triage["id"], user="clerk", data={"unit": unit, "opinion": "转送办理"})
    return open_task(svc, case_id, "handle")


def finish_job(job_id: str, timeout: float = 60) -> None:
    """A job's work runs on a thread named `<kind>-<job id>` (engine/jobs.py): wait for it, never sleep."""
    for thread in threading.enumerate():
        if thread.name.endswith(f"-{job_id}"):
            thread.join(timeout)


ROUTE_SKIP = {"static"}
ROUTE_EXTRA = ("/inbox?view=all", "/notifications/?all=1", "/processes/web_intake/diff?from=1&to=1",
               "/dashboard?by=unit", "/dashboard/cases?key=on_time_closure&part=denominator",
               "/dashboard/ledger/cases?column=assigned")      # pages that show more with a query
ASCII_PETITION = {**SAMPLE_PETITION, "subject": "Unpaid wages", "content": "Three months of wages unpaid.",
                  "petitioners": [{"name": "Wang Wu", "id_number": "110105199001011232", "phone": "13812345678",
                                   "address": "1 Example Street"}]}


def make_world(office: Services) -> dict:
    """One case per stage the pages show: at triage (clerk), at the unit (handle), with an attachment."""
    first = office.intake.register_petition(ASCII_PETITION, user="clerk")
    second = office.intake.register_petition(ASCII_PETITION, user="clerk")
    handle = route_to(office, second["id"], "district_gov")
    office.attachments.add_attachment(second["id"], user="clerk", filename="note.txt", content=b"a note")
    triage = [t for t in office.cases.get_case(first["id"])["tasks"] if t["state"] == "open"][0]
    attachment = office.cases.get_case(second["id"], user="clerk").get("attachments", [{"id": 1}])[0]["id"]
    from office.online.checks import Upload
    online = {k: ASCII_PETITION["petitioners"][0][k] for k in ("name", "id_number", "phone", "address")}
    office.online.submit({**online, "subject": "Heating", "content": "Too cold.", "purpose": "求决", "region": "110105",
                          "consent": True}, [Upload("scan.png", b"\x89PNG\r\n\x1a\n0000")])
    return {"case": second["id"], "task": triage["id"], "unit_task": handle["id"], "attachment": attachment,
            "submission": 1, "online_file": 1}


def urls(app, office, world: dict, user: str | None) -> list[str]:
    """Every GET route with its parameters filled in for this user (their own job, a visible task)."""
    job = office.jobs.start_inbox_export(user=user, wait=True)["id"] if user else "0" * 32
    values = {"case_id": world["case"], "task_id": world["unit_task"] if user == "gov" else world["task"],
              "attachment_id": world["attachment"], "document_id": 1, "submission_id": world["submission"],
              "file_id": world["online_file"], "meeting_id": 1, "proposal_id": 1, "follow_up_id": 1, "job_id": job,
              "key": "web_intake", "table": "figures", "fmt": "xlsx"}
    out = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ROUTE_SKIP:
                continue
            out.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    return sorted(out) + list(ROUTE_EXTRA)
