"""The small intake diagram and forms the web tests drive (until the real processes are used)."""
from __future__ import annotations

import json
from pathlib import Path

from tests.support import bpmn_builder as b

PROCESS = "web_intake"


def props(form: str, due: str | None = None) -> str:
    out = f'<spiffworkflow:property name="formKey" value="{form}"/>'
    if due:
        out += f'<spiffworkflow:property name="dueIn" value="{due}"/>'
    return out


def intake_diagram() -> str:
    """number → 拟办 (clerk) → 承办 (unit) → 答复 (clerk) → 评价 → 申请复查 within 30 days, else end."""
    nodes = [("number", b.service_task("number", "web_test_number")),
             ("triage", b.user_task("triage", "clerk", props("triage", "P15D"), name="拟办")),
             ("handle", b.user_task("handle", "unit_staff", props("handle", "P60D"), name="承办")),
             ("reply", b.user_task("reply", "clerk", props("reply"), name="答复")),
             ("evaluate", b.user_task("evaluate", "petitioner", "", name="评价")),
             ("request_review", b.user_task("request_review", "petitioner", "", name="申请复查"))]
    ids = ["start"] + [n for n, _ in nodes] + ["end"]
    body = '<bpmn:startEvent id="start"/>\n<bpmn:endEvent id="end"/>\n<bpmn:endEvent id="end_no_review"/>\n'
    body += "".join(xml for _, xml in nodes)
    body += b.boundary_timer("review_window", "request_review", '"P30D"')
    body += "".join(b.flow(f"f{i}", x, y) for i, (x, y) in enumerate(zip(ids, ids[1:])))
    body += b.flow("f_window", "review_window", "end_no_review")
    return with_layout(b.process(PROCESS, body), ids)


def with_layout(xml: str, ids: list[str]) -> str:
    """Diagram interchange (shapes and edges) for a left-to-right chain, so bpmn-js can draw it."""
    boxes = {}
    for i, node in enumerate(ids):
        event = node.startswith(("start", "end"))
        w, h = (36, 36) if event else (100, 80)
        boxes[node] = (60 + i * 150 + (50 - w // 2), 100 + (40 - h // 2), w, h)
    x, y, _, _ = boxes["request_review"]
    boxes["review_window"] = (x + 32, y + 62, 36, 36)
    boxes["end_no_review"] = (x + 32, y + 160, 36, 36)
    shapes = "".join(f'<bpmndi:BPMNShape id="{n}_di" bpmnElement="{n}"><dc:Bounds x="{bx}" y="{by}" width="{w}" '
                     f'height="{h}"/></bpmndi:BPMNShape>' for n, (bx, by, w, h) in boxes.items())
    edges = []
    pairs = [(f"f{i}", a, c) for i, (a, c) in enumerate(zip(ids, ids[1:]))] + [("f_window", "review_window",
                                                                                  "end_no_review")]
    for fid, a, c in pairs:
        (ax, ay, aw, ah), (cx, cy, cw, ch) = boxes[a], boxes[c]
        start, end = (ax + aw, ay + ah // 2), (cx, cy + ch // 2)
        if fid == "f_window":
            start, end = (ax + aw // 2, ay + ah), (cx + cw // 2, cy)
        edges.append(f'<bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}"><di:waypoint x="{start[0]}" y="{start[1]}"/>'
                     f'<di:waypoint x="{end[0]}" y="{end[1]}"/></bpmndi:BPMNEdge>')
    plane = (f'<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{PROCESS}">{shapes}'
             f'{"".join(edges)}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    ns = ('xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
          'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" ')
    return xml.replace("<bpmn:definitions ", "<bpmn:definitions " + ns, 1).replace(
        "</bpmn:definitions>", plane + "\n</bpmn:definitions>")


FORMS = {
    "triage": {"type": "object", "required": ["unit", "opinion"], "properties": {
        "unit": {"type": "string", "title": "承办单位", "x-title-en": "Handling unit",
                 "enum": ["district_gov", "district_court", "discipline"],
                 "enumNames": ["区人民政府", "区人民法院", "区纪委监委"]},
        "opinion": {"type": "string", "title": "拟办意见", "x-title-en": "Proposed handling", "x-widget": "textarea", "maxLength": 500},
        "urgent": {"type": "boolean", "title": "紧急", "x-title-en": "Urgent"},
    }},
    "handle": {"type": "object", "required": ["result"], "properties": {
        "result": {"type": "string", "title": "办理结果", "x-title-en": "Result", "x-widget": "textarea", "minLength": 2},
        "visited_on": {"type": "string", "format": "date", "title": "走访日期", "x-title-en": "Visited on"},
        "people_met": {"type": "integer", "title": "接谈人数", "x-title-en": "People met", "minimum": 0},
    }},
    "reply": {"type": "object", "required": ["reply"], "properties": {
        "reply": {"type": "string", "title": "答复意见", "x-title-en": "Reply", "x-widget": "textarea"},
    }},
}


SHIPPED_FORMS = ("follow_up_report",)


def write_bpmn_dir(root: Path) -> Path:
    (root / "forms").mkdir(parents=True, exist_ok=True)
    for name, schema in FORMS.items():
        (root / "forms" / f"{name}.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    for name in SHIPPED_FORMS:          # forms of tasks the office opens beside the workflow
        shipped = Path(__file__).resolve().parents[2] / "bpmn" / "forms" / f"{name}.json"
        (root / "forms" / f"{name}.json").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (root / f"{PROCESS}.bpmn").write_text(intake_diagram(), encoding="utf-8")
    return root
