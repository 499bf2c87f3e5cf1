"""The shipped diagrams: generated, complete DI, lanes named after groups, deployable on both databases."""
from __future__ import annotations

from datetime import datetime, timezone

from lxml import etree

from office.operations.demo import setup_demo
from office.operations.demo_cases import play
from processes.diagrams import DIAGRAMS, LANE_LABELS, render_all
from tests.support.paths import ROOT

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
FLOW_NODES = ("startEvent", "endEvent", "userTask", "serviceTask", "callActivity", "exclusiveGateway",
              "parallelGateway", "boundaryEvent")


def test_committed_files_are_what_the_generator_writes():
    for rel, text in render_all().items():
        assert (ROOT / "bpmn" / rel).read_text(encoding="utf-8") == text, f"{rel}: run python -m processes.diagrams"


def test_every_element_has_di_and_a_chinese_name_and_every_user_task_a_group_lane():
    for key in DIAGRAMS:
        tree = etree.parse(str(ROOT / "bpmn" / f"{key}.bpmn"))
        shapes = {s.get("bpmnElement") for s in tree.iterfind(".//bpmndi:BPMNShape", NS)}
        edges = {e.get("bpmnElement") for e in tree.iterfind(".//bpmndi:BPMNEdge", NS)}
        for kind in FLOW_NODES:
            for node in tree.iterfind(f".//bpmn:{kind}", NS):
                assert node.get("id") in shapes, f"{key}: {node.get('id')} has no shape"
                assert any("\u4e00" <= ch <= "\u9fff" for ch in node.get("name", "")), node.get("id")
        for flow in tree.iterfind(".//bpmn:sequenceFlow", NS):
            assert flow.get("id") in edges, f"{key}: {flow.get('id')} has no edge"
        lanes = {lane.get("name"): {r.text for r in lane.iterfind("bpmn:flowNodeRef", NS)}
                 for lane in tree.iterfind(".//bpmn:lane", NS)}
        assert set(lanes) <= set(LANE_LABELS.values()) and tree.find(".//bpmn:participant", NS) is not None
        for task in tree.iterfind(".//bpmn:userTask", NS):
            group = task.find(".//spiffworkflow:property[@name='candidateGroups']", NS).get("value")
            assert task.get("id") in lanes[LANE_LABELS[group]], f"{key}: {task.get('id')} is not in lane {group}"
            form = task.find(".//spiffworkflow:property[@name='formKey']", NS).get("value")
            assert (ROOT / "bpmn" / "forms" / f"{form}.json").is_file()


def test_setup_demo_deploys_all_shipped_processes(services):
    """On SQLite and PostgreSQL: deploy lint accepts every diagram (handlers, timers, lanes)."""
    result = setup_demo(services)
    assert sorted(d["key"] for d in result["deployed"]) == sorted(DIAGRAMS)
    assert {p["key"] for p in services.processes.list_processes()} >= set(DIAGRAMS)


def test_demo_leaves_a_living_office(services):
    setup_demo(services)
    stats = play(services, 40, days=120, now=datetime(2025, 6, 30, 2, tzinfo=timezone.utc))
    assert stats["cases"] == 40 and not stats.get("failed")
    cases = services.cases.list_cases(per_page=100)["items"]
    assert {c["status"] for c in cases} == {"running", "complete"}
    assert len({c["channel"] for c in cases}) == 4, "a deputy's forwarding is a source, not a channel"
    open_steps = {t["bpmn_id"] for t in services.tasks.list_tasks(per_page=500)["items"]}
    assert len(open_steps) >= 5, open_steps
