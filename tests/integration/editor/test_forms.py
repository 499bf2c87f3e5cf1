"""Task forms deployed with the diagram (SQLite and PostgreSQL): a case keeps the form of the
version it started on, bad forms refuse the deploy with the task's id, and definitions stored
before forms were bundled still find theirs in bpmn/forms/."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from engine.errors import InvalidDiagram, NotAllowed, ValidationFailed
from engine.bpmn.form_files import check_form
from engine.store.models import Definition
from office.root import Services
from tests.support.bpmn_builder import linear, user_task

FORM_KEY = '<spiffworkflow:property name="formKey" value="visit_record"/>'
DIAGRAM = linear("visit", ("record", user_task("record", "clerk", FORM_KEY, name="接谈记录")))


def form(*fields: tuple[str, str]) -> str:
    return json.dumps({"type": "object", "required": [fields[0][0]],
                       "properties": {name: {"type": "string", "title": title} for name, title in fields}},
                      ensure_ascii=False, indent=2)


@pytest.fixture
def office(services):
    services.users.add_user("analyst", groups=["analyst"])
    services.users.add_user("clerk", groups=["clerk"])
    return services


def _task_form(svc, case_id: int) -> dict:
    task = svc.tasks.list_tasks(case_id=case_id)["items"][0]
    return svc.tasks.get_task(task["id"], user="clerk")


def test_edited_form_is_version_two_while_a_case_on_version_one_keeps_its_form(office):
    v1 = office.editor.deploy_diagram({"visit.bpmn": DIAGRAM, "forms/visit_record.json": form(("summary", "谈话摘要"))},
                               user="analyst")
    old_case = office.cases.start_case("visit", user="clerk")["id"]
    v2 = office.editor.deploy_diagram({"visit.bpmn": DIAGRAM, "forms/visit_record.json": form(
        ("summary", "谈话摘要"), ("mood", "情绪状况"))}, user="analyst")
    new_case = office.cases.start_case("visit", user="clerk")["id"]
    assert (v1[0]["version"], v2[0]["version"]) == (1, 2)

    old, new = _task_form(office, old_case), _task_form(office, new_case)
    assert list(old["form"]["properties"]) == ["summary"]
    assert list(new["form"]["properties"]) == ["summary", "mood"]
    with pytest.raises(ValidationFailed) as err:                     # validation uses the case's own form
        office.tasks.complete_task(old["id"], user="clerk", data={})
    assert err.value.details[0]["field"] == "summary"
    office.tasks.complete_task(old["id"], user="clerk", data={"summary": "已接谈"})
    assert office.cases.get_case(old_case)["status"] == "complete"
    source = office.editor.process_source("visit", 1, user="analyst")
    assert list(source["files"]) == ["visit.bpmn"] and "mood" not in source["forms"]["visit_record"]


def test_redeploying_the_same_diagram_and_form_is_not_a_new_version(office):
    files = {"visit.bpmn": DIAGRAM, "forms/visit_record.json": form(("summary", "谈话摘要"))}
    office.editor.deploy_diagram(files, user="analyst")
    assert office.editor.deploy_diagram(files, user="analyst") == [{"key": "visit", "version": 1, "new": False}]


@pytest.mark.parametrize("text, message", [
    ('{"type": "object", "properties": {"a": {"type": "strin"}}}', "$.properties.a.type"),
    ('{"type": "object", "properties": {"a": {"type": "object"}}}', "cannot be shown"),
    ('{"type": "object", "properties": {"a": ', "not valid JSON"),
    ('{"type": "object", "properties": {"a": {"enum": ["是", "否"], "x-enumNames-en": ["Yes"]}}}', "x-enumNames-en"),
    ('{"type": "object", "properties": {"a": {"type": "string", "x-title-en": 1}}}', "x-title-en"),
])
def test_a_bad_form_refuses_the_deploy_naming_the_task(office, text, message):
    with pytest.raises(InvalidDiagram) as err:
        office.editor.deploy_diagram({"visit.bpmn": DIAGRAM, "forms/visit_record.json": text}, user="analyst")
    problem = err.value.details[0]
    assert problem["element"] == "record" and message in problem["message"]
    assert office.processes.list_processes() == []


def test_a_missing_form_or_a_badly_named_one_refuses_the_deploy(office):
    with pytest.raises(InvalidDiagram) as err:
        office.editor.deploy_diagram({"visit.bpmn": DIAGRAM, "forms/Visit Record.json": form(("a", "甲"))}, user="analyst")
    messages = {(p["element"], p["message"].split(":")[0]) for p in err.value.details}
    assert (None, "a form file is named forms/<key>.json, the key of a-z, 0-9 and _") in messages
    assert ("record", "form 'visit_record' does not exist") in messages


def test_definitions_stored_before_forms_were_bundled_use_bpmn_forms(office, tmp_path):
    (tmp_path / "bpmn" / "forms").mkdir(parents=True)
    (tmp_path / "bpmn" / "forms" / "visit_record.json").write_text(form(("summary", "谈话摘要")), encoding="utf-8")
    svc = Services(replace(office.settings, bpmn_dir=tmp_path / "bpmn"), office.engine)
    svc.processes.deploy({"visit.bpmn": DIAGRAM}, user="analyst")               # `xinfang deploy` takes bpmn/forms/
    with svc.core.uow() as uow:                                             # as an old deploy stored it
        definition = uow.session.scalars(select(Definition)).one()
        assert "forms/visit_record.json" in definition.bundle
        definition.bundle = {"visit.bpmn": definition.bundle["visit.bpmn"]}
        uow.commit()
    case = svc.cases.start_case("visit", user="clerk")["id"]
    assert _task_form(svc, case)["form"]["properties"]["summary"]["title"] == "谈话摘要"
    assert "summary" in svc.editor.process_source("visit", user="analyst")["forms"]["visit_record"]


def test_form_preview_is_for_analysts_and_explains_problems(office):
    assert office.editor.preview_form(form(("summary", "谈话摘要")), user="analyst")["required"] == ["summary"]
    with pytest.raises(NotAllowed):
        office.editor.preview_form(form(("summary", "谈话摘要")), user="clerk")
    with pytest.raises(ValidationFailed) as err:
        check_form('{\n  "type": "object",\n  "properties": {\n    "a": {"type": 5}\n  }\n}')
    assert err.value.details[0]["path"] == "$.properties.a.type" and err.value.details[0]["line"] == 4
    with pytest.raises(ValidationFailed, match="line 2"):
        check_form('{"type": "object",\n "properties": {,}}')
