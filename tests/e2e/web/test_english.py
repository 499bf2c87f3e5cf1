"""English everywhere: every page of the app (every GET route of app.url_map, its parameters filled
with a real case, task, process and job of the small office), signed in as each role, has no Chinese
in its user interface when English is chosen; and the Chinese default shows Chinese navigation.

Data may be Chinese (unit names, the diagram's task names), and the language switch names each language in itself (中文): those known values are removed before checking.
The registration vocabularies (channel, purpose, category…) are stored as Chinese words but shown
translated, so they are not removed; so are the task forms' labels (their `x-title-en`).
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from office.directory import regions
from tests.support.paths import ROOT
from tests.support.web import ASCII_PETITION, UNITS, sign_in, urls
from tests.support.web_diagrams import intake_diagram
from webui.app import create_app
from webui.app import LANGUAGES

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
ROLES = ("clerk", "director", "leader", "advisor", "analyst", "admin", "gov", None)


class Visible(HTMLParser):
    """The text a user reads: text nodes outside script/style, and labels carried in attributes."""

    ATTRS = ("placeholder", "title", "aria-label", "alt", "data-done-text")
    SECTIONS = ("nav", "title", "h1", "h2", "th", "label", "button")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.sections: dict[str, list[str]] = {}
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.SECTIONS:
            self.open.append(tag)
        values = dict(attrs)
        self.parts += [values[a] for a in self.ATTRS if values.get(a)]
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)
            for tag in self.open:
                self.sections.setdefault(tag, []).append(data)


def known_data() -> list[str]:
    """Chinese values that are data, not interface text; longest first so parts do not leave rests."""
    values = set(UNITS.values()) | set(LANGUAGES.values()) | {regions.name(ASCII_PETITION["problem_region"])}
    values |= {"转送办理"}        # what route_to's clerk wrote, shown in the case file
    values |= set(re.findall(r'name="([^"]+)"', intake_diagram()))
    return sorted(values, key=len, reverse=True)


def chinese_in(page: str, data: list[str]) -> list[str]:
    parser = Visible()
    parser.feed(page)
    text = "\n".join(parser.parts)
    for value in data:
        text = text.replace(value, "")
    return sorted({line.strip() for line in text.splitlines() if CJK.search(line)})


@pytest.mark.parametrize("user", ROLES)
def test_every_page_is_in_english_when_english_is_chosen(office, world, user):
    app = create_app(office.settings, office)
    browser = sign_in(app, user)
    assert browser.post("/lang/en", {"next": "/"}).status_code == 302
    data = known_data()
    untranslated = {}
    for url in urls(app, office, world, user):
        response = browser.get(url)
        assert response.status_code < 500 or url == "/readyz", f"{url}: {response.status_code}"
        if not response.mimetype == "text/html":
            continue
        found = chinese_in(response.get_data(as_text=True), data)
        if found:
            untranslated[f"{url} ({response.status_code})"] = found
    assert not untranslated, json.dumps(untranslated, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("user", ["clerk", "admin", "gov"])
def test_the_chinese_default_has_chinese_navigation_and_headings(office, world, user):
    app = create_app(office.settings, office)
    browser = sign_in(app, user)
    for url in urls(app, office, world, user):
        response = browser.get(url)
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        parser = Visible()
        parser.feed(response.get_data(as_text=True))
        nav = " ".join(parser.sections.get("nav", []))
        assert CJK.search(nav) and "Inbox" not in nav, f"{url}: navigation {nav!r}"
        labels = " ".join(text for tag in Visible.SECTIONS[1:] for text in parser.sections.get(tag, []))
        assert CJK.search(labels), f"{url}: headings, labels and buttons {labels!r}"


def test_form_errors_and_the_petitioners_pages_are_in_english(office, world):
    """Pages only a POST shows: registration and task forms with every error, the petitioner's status
    page with its evaluation form and a refused evaluation, the identities page."""
    from tests.support.web import open_task
    from tests.support.handlers_for_web import query_code
    app = create_app(office.settings, office)
    data = known_data()
    clerk = sign_in(app, "clerk")
    clerk.post("/lang/en", {"next": "/"})
    pages = {
        "register": clerk.post("/register", {"collective": "on", "persons": "2", "representatives.0.name": "A",
                                             "petitioners.0.id_number": "123", "petitioners.0.phone": "x"}),
        "task": clerk.post(f"/tasks/{world['task']}", {"urgent": "on"}),
        "reveal": clerk.post(f"/cases/{world['case']}/reveal", {"purpose": "Checking a repeat petition"}),
    }
    handle = open_task(office, world["case"], "handle")
    office.tasks.complete_task(handle["id"], user="gov", data={"result": "Wages paid"})
    office.tasks.complete_task(open_task(office, world["case"], "reply")["id"], user="clerk", data={"reply": "Paid"})
    petitioner = sign_in(app, None)
    petitioner.post("/lang/en", {"next": "/public/"})
    reg_no = office.cases.get_case(world["case"])["reg_no"]
    credentials = {"reg_no": reg_no, "code": query_code(world["case"])}
    pages["status"] = petitioner.post("/public/status", credentials)
    pages["evaluate"] = petitioner.post("/public/evaluate", credentials)
    pages["wrong code"] = petitioner.post("/public/status", {"reg_no": reg_no, "code": "wrong"})
    assert [name for name, r in pages.items() if r.status_code >= 500] == []
    assert pages["register"].status_code == pages["task"].status_code == pages["evaluate"].status_code == 400
    assert "Satisfied" in pages["status"].get_data(as_text=True)
    found = {name: chinese_in(r.get_data(as_text=True), data) for name, r in pages.items()}
    assert not any(found.values()), json.dumps(found, ensure_ascii=False, indent=1)


def test_the_editor_side_panel_speaks_english_too(office):
    """editor.js draws its panel from the page's translated texts (#ed-text), so neither may hold Chinese."""
    browser = sign_in(create_app(office.settings, office), "analyst")
    browser.post("/lang/en", {"next": "/"})
    page = browser.get("/processes/web_intake/edit").get_data(as_text=True)
    texts = json.loads(re.search(r'<script id="ed-text" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert {"select", "deadline", "badTimer", "deployed"} <= set(texts)
    assert not [value for value in texts.values() if CJK.search(value)], texts
    script = (ROOT / "webui" / "static" / "editor.js").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))
    assert not CJK.search(code), CJK.findall(code)
