"""People read names, never codes: every page the demo roles can open, in a living office (the
shipped processes, demo units and users, 40 petitions played through), shows no internal code
in its visible text — no snake_case identifier (unit codes, event kinds, roles, deadline keys,
BPMN ids), no region code without its name, no event kind.

Text inside <code> is an identifier shown on purpose to the people who type it (an administrator's
unit codes and user names, an analyst's element ids); only their pages may use it.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest
import time_machine

from office.directory import regions
from office.operations.demo_cases import play
from webui.app import create_app
from webui.labels import LABELS

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
SIX_DIGITS = re.compile(r"(?<![\w*.-])(\d{6})(?![\w*])")
EVENT_WORDS = re.compile(r"\b(" + "|".join(k for k in LABELS["event"] if "_" not in k) + r")\b")
ROLES = ("clerk", "director", "leader", "advisor", "analyst", "admin", "gov_staff", "housing_staff")
CODE_PAGES = ("/admin/", "/processes", "/tokens", "/analysis/evaluation")   # where <code> identifiers belong
NOW = datetime(2026, 6, 30, 2, tzinfo=timezone.utc)


class Visible(HTMLParser):
    """What a person reads: text outside script/style/code, and labels carried in attributes."""

    ATTRS = ("placeholder", "title", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.code = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self.skip += 1
            self.code += tag == "code"
        self.parts += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def codes_in(html: str) -> tuple[list[str], int]:
    parser = Visible()
    parser.feed(html)
    text = "\n".join(parser.parts)
    found = set(SNAKE.findall(text)) | set(EVENT_WORDS.findall(text))
    found |= {c for c in SIX_DIGITS.findall(text) if regions.get(c)}
    return sorted(found), parser.code


@pytest.fixture(scope="module")
def office(tmp_path_factory, sqlite_template):
    import shutil
    from engine.settings import Settings
    from office.root import Services
    from tests.support.office import make_office
    path = tmp_path_factory.mktemp("codes") / "office.db"
    shutil.copy(sqlite_template, path)
    svc = Services(Settings(database_url=f"sqlite:///{path}", storage_dir=path.parent / "storage", testing=True,
                            scheduler_enabled=False, secret_key="test-secret"))
    o = make_office(svc)
    play(svc, 40, days=120, now=NOW)
    yield o
    svc.close()


def values_for(o, user: str) -> dict:
    """A case, a task, a document and a job of this user's, to fill each route's parameters."""
    svc = o.s
    cases = svc.cases.list_cases(user=user, per_page=200)["items"]
    case = max(cases, key=lambda c: c["id"])["id"] if cases else 1
    tasks = svc.tasks.list_tasks(user=user, per_page=50)["items"]
    docs = svc.documents.list_documents(case, user=user) if cases else []
    job = svc.jobs.start_inbox_export(user=user, wait=True)["id"]
    return {"case_id": case, "task_id": tasks[0]["id"] if tasks else "0", "attachment_id": 1,
            "document_id": docs[0]["id"] if docs else 1, "job_id": job, "key": "handling", "table": "figures",
            "fmt": "xlsx", "migration_id": 1}


def pages(app, values: dict) -> list[str]:
    out = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint != "static" and all(a in values for a in rule.arguments):
                out.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    return sorted(set(out)) + ["/inbox?view=all", "/dashboard?by=unit", "/dashboard?by=region",
                               "/dashboard/ledger", "/analysis/hotspots", f"/cases/{values['case_id']}/dossier"]


def sign_in(app, user: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": user, "password": "demo", "csrf_token": token}).status_code == 302
    return client


@pytest.mark.parametrize("user", ROLES)
def test_no_page_a_demo_role_opens_shows_an_internal_code(office, user):
    app = create_app(office.s.settings, office.s)
    leaks = {}
    with time_machine.travel(NOW, tick=False):
        client = sign_in(app, user)
        for url in pages(app, values_for(office, user)):
            response = client.get(url)
            assert response.status_code != 302 or not response.location.startswith("/login"), url
            if response.mimetype != "text/html":
                continue
            found, code_tags = codes_in(response.get_data(as_text=True))
            if found:
                leaks[f"{url} ({response.status_code})"] = found
            if code_tags and response.status_code < 400:     # an error page's technical detail is folded away
                assert url.startswith(CODE_PAGES), f"{url}: identifiers in <code> outside admin/editor pages"
    assert not leaks, json.dumps(leaks, ensure_ascii=False, indent=1)


def test_the_petitioners_pages_show_no_code_either(office):
    app = create_app(office.s.settings, office.s)
    client = app.test_client()
    with time_machine.travel(NOW, tick=False):
        case_id = office.register(office_petition())
        reg_no = office.s.cases.get_case(case_id)["reg_no"]
        page = client.get("/public/").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        status = client.post("/public/status", data={"reg_no": reg_no, "code": office.code(case_id),
                                                     "csrf_token": token})
    assert status.status_code == 200
    assert codes_in(status.get_data(as_text=True)) == ([], 0)


def office_petition() -> dict:
    from tests.support.office import petition
    return petition("楼道堆物消防隐患", name="钱多多")
