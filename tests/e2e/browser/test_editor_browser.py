"""In chromium: an analyst opens the editor, changes a due date and a gateway condition, deploys;
a new case runs on the new version while an older case continues on the old one. The form editor
previews as the analyst types and the deployed task shows the new form; every MIWG reference file
round-trips with all its elements and diagram-interchange entries."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.clock import parse_instant
from tests.support.browser import chromium_page, needs_chromium, serve, sign_in_page
from tests.support.editor_diagrams import KEY, routing_diagram
from tests.support.paths import MIWG, ROOT
from tests.support.web import PASSWORD
from webui.app import create_app

pytestmark = needs_chromium
STATIC = ROOT / "webui" / "static" / "vendor" / "bpmn-modeler.production.min.js"


@pytest.fixture
def server(office):
    office.processes.deploy({f"{KEY}.bpmn": routing_diagram()}, user="analyst")
    with serve(create_app(office.settings, office)) as base:
        yield base


@pytest.fixture
def page():
    assert STATIC.exists(), "run `make vendor` first (the editor needs bpmn-js's modeler)"
    with chromium_page(height=900) as browser_page:
        yield browser_page


def _task(office, case_id, bpmn_id):
    return next(t for t in office.tasks.list_tasks(case_id=case_id)["items"] if t["bpmn_id"] == bpmn_id)


def _select(page, element_id: str) -> None:
    page.click(f'.djs-element[data-element-id="{element_id}"] .djs-hit', force=True)
    page.wait_for_selector(f'#ed-panel h3:has-text("{element_id}"), #ed-panel h3')


def test_edit_deploy_and_versions_side_by_side(office, server, page):
    old_case = office.cases.start_case(KEY, user="clerk")["id"]
    sign_in_page(page, server, "analyst", PASSWORD)
    page.goto(f"{server}/processes")
    row = page.locator(f'section[data-key="{KEY}"] tr.version[data-version="1"]')
    assert row.locator("td.running").inner_text() == "1"
    page.goto(f"{server}/processes/{KEY}/edit")
    page.wait_for_selector("body[data-editor-ready='1']")

    _select(page, "decide")
    due = page.locator('#ed-panel input[name="dueIn"]')
    due.fill("15 days")
    assert "ISO 8601" in page.locator("#ed-panel label:has(input[name=dueIn]) .hint").inner_text()  # as typed
    due.fill("P5D")
    due.press("Tab")

    _select(page, "f_fast")
    condition = page.locator('#ed-panel textarea[name="condition"]')
    assert condition.input_value() == "urgent"
    condition.fill("urgent or persons > 10")
    condition.press("Tab")

    page.click("#ed-deploy")
    page.wait_for_selector("#ed-status:has-text('v2')")

    new_case = office.cases.start_case(KEY, user="clerk")
    assert new_case["version"] == 2
    assert office.cases.get_case(old_case)["version"] == 1
    new_task, old_task = _task(office, new_case["id"], "decide"), _task(office, old_case, "decide")
    created = parse_instant(new_task["created_at"])
    assert parse_instant(new_task["due_at"]) - created == timedelta(days=5)
    assert parse_instant(old_task["due_at"]) - parse_instant(old_task["created_at"]) == timedelta(days=15)
    for case_id, task in ((old_case, old_task), (new_case["id"], new_task)):
        office.tasks.complete_task(task["id"], user="clerk", data={"urgent": False, "persons": 20})
    assert [t["bpmn_id"] for t in office.tasks.list_tasks(case_id=old_case)["items"]] == ["slow"]
    assert [t["bpmn_id"] for t in office.tasks.list_tasks(case_id=new_case["id"])["items"]] == ["fast"]


NEW_FORM = """{
  "type": "object",
  "required": ["mood"],
  "properties": {
    "mood": {"type": "string", "title": "情绪状况"},
    "urgent": {"type": "boolean", "title": "紧急"}
  }
}"""


def test_edit_a_form_with_live_preview_deploy_and_the_task_shows_it(office, server, page):
    sign_in_page(page, server, "analyst", PASSWORD)
    page.goto(f"{server}/processes/{KEY}/edit")
    page.wait_for_selector("body[data-editor-ready='1']")
    _select(page, "decide")
    page.click("#ed-edit-form")
    page.wait_for_selector("#form-editor:not([hidden])")
    assert page.locator("#fe-key").input_value() == "decide"
    page.wait_for_selector("#fe-preview label:has-text('办理意见')")       # the skeleton, previewed
    page.fill("#fe-json", NEW_FORM.replace('"title": "紧急"}', '"title": "紧急"'))
    page.wait_for_selector("#fe-error:has-text('line')")                 # broken JSON: said inline, with the line
    page.fill("#fe-json", NEW_FORM)
    page.wait_for_selector("#fe-preview label:has-text('情绪状况')")
    assert page.locator("#fe-error").inner_text() == ""
    page.click("#fe-close")
    assert page.locator('#ed-panel select[name="formKey"]').input_value() == "decide"
    page.click("#ed-deploy")
    page.wait_for_selector("#ed-status:has-text('v2')")

    case = office.cases.start_case(KEY, user="clerk")
    task = _task(office, case["id"], "decide")
    page.context.clear_cookies()
    sign_in_page(page, server, "clerk", PASSWORD)
    page.goto(f"{server}/tasks/{task['id']}")
    assert page.locator("[data-field='mood'] label").inner_text().startswith("情绪状况")


REFERENCE = MIWG / "reference"
ROUND_TRIP = """async (xml) => {
  await window.xinfangDiagram.open(xml);
  return await window.xinfangDiagram.save();
}"""


MODEL, DI = "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://www.omg.org/spec/BPMN/20100524/DI"


def _elements(xml: str, namespace: str) -> set[tuple[str, str]]:
    from lxml import etree
    root = etree.fromstring(xml.encode("utf-8"))
    return {(etree.QName(n).localname, n.get("id")) for n in root.iter()
            if isinstance(n.tag, str) and etree.QName(n).namespace == namespace and n.get("id")}


def test_every_miwg_reference_file_round_trips_through_the_editor(office, server, page):
    page.goto(f"{server}/login")
    page.fill("#username", "analyst")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{server}/processes/{KEY}/edit")
    page.wait_for_selector("body[data-editor-ready='1']")
    files = sorted(p.name for p in REFERENCE.glob("*.bpmn"))
    assert len(files) == 21
    lost = {}
    for name in files:
        original = (REFERENCE / name).read_text(encoding="utf-8")
        saved = page.evaluate(ROUND_TRIP, original)
        missing = (_elements(original, MODEL) - _elements(saved, MODEL)) | (_elements(original, DI) - _elements(saved, DI))
        if missing:
            lost[name] = sorted(missing)[:3]
    assert lost == {}, "; ".join(f"{k}: {v}" for k, v in lost.items())


# B.1.0: a process no participant shows (bpmn-js cannot draw it) next to two pools.
UNDRAWN_SHAPE, DRAWN_TASK = ("S1373655174923__200f43e7-1385-46e2-a380-3ef16ebe7847",
                               "_219b9ca1-d4c5-497d-a4f7-06a44a6da20e")
DELETE_AND_SAVE = """async ([xml, id]) => {
  await window.xinfangDiagram.open(xml);
  const modeler = window.xinfangEditor;
  modeler.get("modeling").removeElements([modeler.get("elementRegistry").get(id)]);
  return await window.xinfangDiagram.save();
}"""


def test_undrawn_diagram_parts_are_kept_but_deleted_elements_stay_deleted(office, server, page):
    sign_in_page(page, server, "analyst", PASSWORD)
    page.goto(f"{server}/processes/{KEY}/edit")
    page.wait_for_selector("body[data-editor-ready='1']")
    original = (REFERENCE / "B.1.0.bpmn").read_text(encoding="utf-8")
    saved = page.evaluate(DELETE_AND_SAVE, [original, DRAWN_TASK])
    ids = {i for _, i in _elements(saved, DI) | _elements(saved, MODEL)}
    assert UNDRAWN_SHAPE in ids and DRAWN_TASK not in ids
    assert not any(DRAWN_TASK in i for i in ids)              # its shape went with it


def test_an_imported_file_lists_what_the_editor_cannot_draw(office, server, page):
    sign_in_page(page, server, "analyst", PASSWORD)
    page.goto(f"{server}/processes")
    page.set_input_files("form.import input[type=file]", str(REFERENCE / "C.7.0.bpmn"))
    page.click("form.import button[type=submit]")
    page.wait_for_selector("body[data-editor-ready='1']")
    assert "_985753e3-a4ce-486b-908a-509d382259ed" in page.locator("#ed-warnings:not([hidden]) li").first.inner_text()
