"""Deploying diagrams: real validation, every problem reported, nothing stored on error."""
from __future__ import annotations

import pytest

from engine.errors import InvalidDiagram, NotFound, ValidationFailed
from tests.support import bpmn_builder as b
from tests.support.paths import SIMPLE


def problems_of(services, files) -> list[dict]:
    with pytest.raises(InvalidDiagram) as err:
        services.processes.deploy(files)
    assert services.processes.list_processes() == [], "nothing may be stored when a deploy fails"
    return err.value.details


def messages(problems) -> str:
    return " | ".join(p["message"] for p in problems)


def test_deploy_stores_once_per_content_and_versions_changes(services):
    xml = SIMPLE.read_text()
    assert services.processes.deploy({"simple.bpmn": xml}) == [{"key": "complaint_simple", "version": 1, "new": True}]
    assert services.processes.deploy({"simple.bpmn": xml})[0] == {"key": "complaint_simple", "version": 1, "new": False}
    changed = xml.replace('name="Review complaint"', 'name="Review the complaint"')
    assert services.processes.deploy({"simple.bpmn": changed})[0]["version"] == 2
    listed = services.processes.list_processes()
    assert [(p["key"], p["version"]) for p in listed] == [("complaint_simple", 1), ("complaint_simple", 2)]


def test_running_case_stays_on_the_version_it_started_with(services):
    services.users.add_user("clerk1", groups=["intake_staff"])
    xml = SIMPLE.read_text()
    services.processes.deploy({"simple.bpmn": xml})
    old = services.cases.start_case("complaint_simple", {"x": 1})
    services.processes.deploy({"simple.bpmn": xml.replace('name="Review complaint"', 'name="复核"')})
    new = services.cases.start_case("complaint_simple")
    assert (old["version"], new["version"]) == (1, 2)
    task = services.tasks.list_tasks(case_id=old["id"])["items"][0]
    services.tasks.complete_task(task["id"], user="clerk1", data={})
    review = services.tasks.list_tasks(case_id=old["id"])["items"][0]
    assert review["name"] == "Review complaint"
    assert services.cases.get_case(old["id"])["version"] == 1


def test_not_xml_is_reported_with_file_and_line(services):
    found = problems_of(services, {"broken.bpmn": "<bpmn:definitions>\n<oops"})
    assert found[0]["file"] == "broken.bpmn"
    assert found[0]["line"] is not None
    assert "not well-formed XML" in found[0]["message"]


def test_non_bpmn_xml_and_binary_are_refused(services):
    assert "not a BPMN 2.0 file" in messages(problems_of(services, {"a.bpmn": "<html/>"}))
    assert "not UTF-8" in messages(problems_of(services, {"a.bpmn": b"\xff\xfe<x/>"}))
    with pytest.raises(ValidationFailed):
        services.processes.deploy({})


def test_schema_violation_names_line_and_element(services):
    xml = b.linear("p1", ("t1", b.user_task("t1"))).replace(
        '<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end"/>\n<bpmn:notAThing id="weird"/>')
    found = problems_of(services, {"p1.bpmn": xml})
    assert any("schema" in p["message"] and p["line"] for p in found)


def test_script_tasks_and_scripts_are_refused(services):
    xml = b.linear("p1", ("s1", '<bpmn:scriptTask id="s1"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>'))
    found = problems_of(services, {"p1.bpmn": xml})
    assert found[0]["element"] == "s1"
    assert "script tasks are refused" in found[0]["message"]


def test_unknown_handler_and_bad_parameters_are_refused(services):
    xml = b.linear("p1", ("s1", b.service_task("s1", "no_such_handler")),
                   ("s2", b.service_task("s2", "test_echo", {"nonsense": "1"})))
    found = messages(problems_of(services, {"p1.bpmn": xml}))
    assert "unknown handler 'no_such_handler'" in found
    assert "has no parameter 'nonsense'" in found
    assert "needs parameter 'value'" in found


@pytest.mark.parametrize("condition", [
    "__import__('os').system('id')",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd').read()",
    "(lambda: 1)()",
    "[x for x in range(10)]",
])
def test_dangerous_conditions_are_refused_at_deploy(sqlite_services, condition):
    body = ('<bpmn:startEvent id="start"/>' + b.user_task("t1") +
            '<bpmn:exclusiveGateway id="gw" default="f_no"/><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>' +
            b.flow("f0", "start", "t1") + b.flow("f1", "t1", "gw") +
            b.flow("f_yes", "gw", "e1", condition.replace("'", "&apos;")) + b.flow("f_no", "gw", "e2"))
    found = problems_of(sqlite_services, {"p.bpmn": b.process("p1", body)})
    assert found[0]["element"] == "f_yes"


def test_user_task_without_lane_or_groups_is_refused(services):
    xml = b.linear("p1", ("t1", '<bpmn:userTask id="t1" name="nobody"/>'))
    found = problems_of(services, {"p1.bpmn": xml})
    assert found[0]["element"] == "t1" and "neither a lane nor candidateGroups" in found[0]["message"]


@pytest.mark.parametrize("expression, fragment", [
    ("P5D", "must be a quoted ISO 8601"),
    ('"P5X"', "not valid ISO 8601"),
    ('"5 days"', "not valid ISO 8601"),
    ('__import__("os")', "must be a quoted ISO 8601"),
])
def test_bad_timer_expressions_are_refused(sqlite_services, expression, fragment):
    xml = b.linear("p1", ("t1", b.user_task("t1") + b.boundary_timer("tm", "t1", expression)))
    found = problems_of(sqlite_services, {"p1.bpmn": xml.replace("</bpmn:process>", b.flow("fx", "tm", "end") +
                                                                   "</bpmn:process>")})
    assert fragment in messages(found)


def test_unbounded_cycle_timer_is_refused(sqlite_services):
    xml = b.linear("p1", ("t1", b.user_task("t1")))
    xml = xml.replace("</bpmn:process>", (
        '<bpmn:boundaryEvent id="tm" attachedToRef="t1" cancelActivity="false"><bpmn:timerEventDefinition>'
        '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">"R/P1D"</bpmn:timeCycle>'
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="e9"/>' + b.flow("fx", "tm", "e9") +
        "</bpmn:process>"))
    assert "repeats forever" in messages(problems_of(sqlite_services, {"p1.bpmn": xml}))


def test_event_subprocess_and_unknown_call_activity_are_refused(services):
    xml = b.linear("p1", ("c1", '<bpmn:callActivity id="c1" calledElement="nowhere"/>'))
    xml = xml.replace("</bpmn:process>", '<bpmn:subProcess id="esp" triggeredByEvent="true"/></bpmn:process>')
    found = messages(problems_of(services, {"p1.bpmn": xml}))
    assert "event subprocesses are unsupported" in found
    assert "unknown process 'nowhere'" in found


def test_call_activity_to_a_deployed_process_is_accepted(services):
    services.processes.deploy({"child.bpmn": b.linear("child", ("ct", b.user_task("ct")))})
    result = services.processes.deploy({"parent.bpmn": b.linear("parent", ("c1", '<bpmn:callActivity id="c1" '
                                                                         'calledElement="child"/>'))})
    assert result[0]["key"] == "parent"


def test_all_problems_of_a_file_come_back_together(services):
    xml = b.linear("p1", ("t1", '<bpmn:userTask id="t1"/>'),
                   ("s1", b.service_task("s1", "nope")),
                   ("x1", '<bpmn:scriptTask id="x1"><bpmn:script>1</bpmn:script></bpmn:scriptTask>'))
    found = problems_of(services, {"p1.bpmn": xml})
    assert {p["element"] for p in found} >= {"t1", "s1", "x1"}
    assert all(set(p) == {"file", "line", "element", "message"} for p in found)


def test_unknown_process_key_cannot_start(services):
    with pytest.raises(NotFound):
        services.cases.start_case("nope")
