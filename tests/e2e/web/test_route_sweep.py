"""Every route, given hostile values for every parameter the app reads, answers with a page, a
redirect or a 4xx: never a 500 and never the "database unavailable" 503 that an integer overflow
or a bad date would turn into on PostgreSQL. GET routes get hostile query strings; POST routes get
hostile form fields, files and JSON bodies.

The parameter names are collected from the web layer's source (``args.get("…")``,
``form.get("…")``, ``files.get("…")``), so a new filter or field is swept without anyone
remembering to add it here.
"""
from __future__ import annotations

import io
import re
import threading
from urllib.parse import urlencode

import pytest

from tests.support.paths import ROOT
from tests.support.web import make_world, sign_in, urls
from webui.app import create_app

WEBUI = ROOT / "webui"
HOSTILE = ("abc", "-1", "0", "99999999999999999999", "2147483648", "²", "2026-13", "9999-12-31", "0000",
           "' OR 1=1 --", "x" * 3000)


def parameter_names(source: str = "args") -> list[str]:
    pattern = re.compile(rf"""{source}(?:\.get|\.getlist)?\(\s*["']([a-z_]+)["']|{source}\[["']([a-z_]+)["']\]""")
    names = set()
    for module in WEBUI.rglob("*.py"):      # the blueprints in webui/channels and webui/rest too
        names |= {a or b for a, b in pattern.findall(module.read_text(encoding="utf-8"))}
    return sorted(names)


def test_the_sweep_knows_the_filters_the_pages_read():
    names = parameter_names()
    assert {"page", "month", "period", "case_id", "since", "limit"} <= set(names), names
    assert {"assignee", "task_ids", "period", "operation", "password"} <= set(parameter_names("form"))
    assert {"file", "files"} <= set(parameter_names("files"))


@pytest.fixture
def swept(any_office):
    """The small office (on each database) with a case at each stage, and its app."""
    return any_office, make_world(any_office), create_app(any_office.settings, any_office)


@pytest.mark.parametrize("user", ["director", "admin", "gov"])
def test_hostile_query_values_never_break_a_page(swept, user):
    office, world, app = swept
    browser = sign_in(app, user)
    names = parameter_names()
    broken = []
    for url in urls(app, office, world, user):
        if url in ("/readyz",) or "/download" in url or url.endswith((".docx", ".pdf")):
            continue
        base = url.split("?")[0]
        for value in HOSTILE:
            target = f"{base}?{urlencode({name: value for name in names})}"
            response = browser.get(target)
            if response.status_code >= 500:
                broken.append(f"{response.status_code} {base} ← {value[:20]!r}")
    assert not broken, "\n".join(broken)


JSON_ROUTES = ("/api/", "/processes/", "/forms/preview")        # the routes that read a JSON body
POST_SKIP = {"auth.login", "auth.logout", "auth.set_language", "static"}


def post_urls(app, world: dict) -> list[str]:
    values = {"case_id": world["case"], "task_id": world["task"], "filter_id": 1, "migration_id": 1, "listing_id": 1,
              "key": "web_intake", "name": "nounit", "code": "en", "submission_id": 1,
              "proposal_id": 1, "meeting_id": 1, "follow_up_id": 1}
    with app.test_request_context():
        from flask import url_for
        return sorted(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
                      for rule in app.url_map.iter_rules()
                      if "POST" in rule.methods and rule.endpoint not in POST_SKIP)


@pytest.mark.parametrize("user", ["director", "admin", "analyst"])
def test_hostile_form_fields_files_and_json_never_break_an_action(swept, user):
    _, world, app = swept
    browser = sign_in(app, user)
    fields, files = parameter_names("form"), parameter_names("files")
    broken = []
    try:
        for url in post_urls(app, world):
            for value in HOSTILE:
                form = {name: value for name in fields}
                form.update({name: (io.BytesIO(value.encode()), "x.csv") for name in files})
                response = browser.post(url, form, content_type="multipart/form-data")
                if response.status_code >= 500:
                    broken.append(f"{response.status_code} POST {url} ← {value[:20]!r}")
                if not url.startswith(JSON_ROUTES):
                    continue
                response = browser.client.post(url, json={name: value for name in fields} | {"data": {"x": value}},
                                               headers={"X-CSRFToken": browser.token})
                if response.status_code >= 500:
                    broken.append(f"{response.status_code} POST {url} (JSON) ← {value[:20]!r}")
    finally:
        for thread in threading.enumerate():       # exports or reports a hostile request did start
            if re.fullmatch(r"[a-z_]+-[0-9a-f]{32}", thread.name):
                thread.join(60)
    assert not broken, "\n".join(broken)
