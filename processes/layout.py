"""A tiny BPMN writer with a grid layout, so the shipped diagrams are data, not hand-drawn XML.

Each node sits in a lane (a row band) and a column; the writer emits the process, a
collaboration with one participant and its lane set, and complete DI (every shape and
edge), so bpmn-js shows the diagram as drawn. `python -m processes.diagrams` rewrites bpmn/.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

COL_W, ROW_H, LEFT, TOP, LANE_LABEL = 170, 120, 60, 40, 30
SIZES = {"task": (120, 80), "event": (36, 36), "gateway": (50, 50)}
KIND_SIZE = {"userTask": "task", "serviceTask": "task", "callActivity": "task", "startEvent": "event",
             "endEvent": "event", "exclusiveGateway": "gateway", "parallelGateway": "gateway"}


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    col: int
    row: int = 0
    body: str = ""
    attrs: dict = field(default_factory=dict)
    tail: str = ""                          # after incoming/outgoing (XSD order): loop characteristics


@dataclass
class Boundary:
    id: str
    name: str
    attached: str
    timer: str
    interrupting: bool


@dataclass
class Flow:
    id: str
    src: str
    dst: str
    condition: str | None = None
    name: str = ""


class Diagram:
    def __init__(self, key: str, name: str, lanes: list[tuple[str, str]]):
        self.key, self.name = key, name
        self.lanes = lanes                  # (group, label)
        self.nodes: dict[str, Node] = {}
        self.boundaries: list[Boundary] = []
        self.flows: list[Flow] = []

    # -- building -----------------------------------------------------------------------------
    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f"duplicate id {node.id}")
        self.nodes[node.id] = node
        return node.id

    def start(self, nid, name, lane, col, row=0):
        return self._add(Node(nid, "startEvent", name, lane, col, row))

    def end(self, nid, name, lane, col, row=0):
        return self._add(Node(nid, "endEvent", name, lane, col, row))

    def xor(self, nid, name, lane, col, row=0, default: str | None = None):
        node = Node(nid, "exclusiveGateway", name, lane, col, row)
        if default:
            node.attrs["default"] = default
        return self._add(node)

    def parallel(self, nid, name, lane, col, row=0):
        return self._add(Node(nid, "parallelGateway", name, lane, col, row))

    def user(self, nid, name, lane, col, row=0, form: str | None = None, due: str | None = None,
             groups: str | None = None, each: tuple[str, str, str, str] | None = None, **extra: str):
        """`extra` are further task properties, e.g. escalate="false" where the diagram itself
        reacts to the deadline (a boundary timer issuing the 督办函)."""
        props = {"candidateGroups": groups or lane, **extra}
        if form:
            props["formKey"] = form
        if due:
            props["dueDeadline"] = due
        inner = "".join(f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)}/>"
                        for k, v in props.items())
        body = (f"<bpmn:extensionElements><spiffworkflow:properties>{inner}"
                f"</spiffworkflow:properties></bpmn:extensionElements>")
        node = Node(nid, "userTask", name, lane, col, row, body)
        if each:       # (collection, item, output collection, output item): one parallel instance per item
            collection, item, outputs, output = each
            node.tail = (f'<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
                         f'<bpmn:loopDataInputRef>{collection}</bpmn:loopDataInputRef>'
                         f'<bpmn:loopDataOutputRef>{outputs}</bpmn:loopDataOutputRef>'
                         f'<bpmn:inputDataItem id="{item}" name="{item}"/>'
                         f'<bpmn:outputDataItem id="{output}" name="{output}"/></bpmn:multiInstanceLoopCharacteristics>')
        return self._add(node)

    def service(self, nid, name, lane, col, handler: str, row=0, params: dict | None = None):
        """Parameter values are expressions: pass string literals already quoted ('"handle"').
        The id must differ from the handler name: SpiffWorkflow finds elements by id anywhere."""
        if nid == handler:
            raise ValueError(f"service task id {nid!r} equals its handler name")
        ps = "".join(f"<spiffworkflow:parameter id={quoteattr(k)} type=\"any\" value={quoteattr(v)}/>"
                     for k, v in (params or {}).items())
        body = (f"<bpmn:extensionElements><spiffworkflow:serviceTaskOperator id={quoteattr(handler)}>"
                f"<spiffworkflow:parameters>{ps}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
                f"</bpmn:extensionElements>")
        return self._add(Node(nid, "serviceTask", name, lane, col, row, body))

    def call(self, nid, name, lane, col, process: str, row=0):
        node = Node(nid, "callActivity", name, lane, col, row)
        node.attrs["calledElement"] = process
        return self._add(node)

    def timer(self, bid, name, attached, expression: str, interrupting: bool = True):
        self.boundaries.append(Boundary(bid, name, attached, expression, interrupting))
        return bid

    def flow(self, src, dst, condition: str | None = None, name: str = "", fid: str | None = None):
        fid = fid or f"f_{src}_{dst}"
        self.flows.append(Flow(fid, src, dst, condition, name))
        return fid

    def chain(self, *ids: str) -> None:
        for a, b in zip(ids, ids[1:]):
            self.flow(a, b)

    # -- geometry ---------------------------------------------------------------------------
    def _lane_rows(self) -> dict[str, int]:
        rows = {g: 1 for g, _ in self.lanes}
        for n in self.nodes.values():
            rows[n.lane] = max(rows[n.lane], n.row + 1)
        return rows

    def _lane_tops(self) -> dict[str, int]:
        tops, y = {}, TOP
        rows = self._lane_rows()
        for g, _ in self.lanes:
            tops[g] = y
            y += rows[g] * ROW_H
        return tops

    def _width(self) -> int:
        return LANE_LABEL + (max(n.col for n in self.nodes.values()) + 1) * COL_W + 40

    def bounds(self, nid: str) -> tuple[int, int, int, int]:
        if nid in self.nodes:
            n = self.nodes[nid]
            w, h = SIZES[KIND_SIZE[n.kind]]
            cx = LEFT + LANE_LABEL + n.col * COL_W + COL_W // 2
            cy = self._lane_tops()[n.lane] + n.row * ROW_H + ROW_H // 2
            return cx - w // 2, cy - h // 2, w, h
        b = next(b for b in self.boundaries if b.id == nid)
        x, y, w, h = self.bounds(b.attached)
        index = [o.id for o in self.boundaries if o.attached == b.attached].index(nid)
        return x + w - 30 - index * 40, y + h - 18, 36, 36

    def _waypoints(self, f: Flow) -> list[tuple[int, int]]:
        sx, sy, sw, sh = self.bounds(f.src)
        tx, ty, tw, th = self.bounds(f.dst)
        if any(b.id == f.src for b in self.boundaries):
            start = (sx + sw // 2, sy + sh)
            if tx > start[0]:
                return [start, (start[0], ty + th // 2), (tx, ty + th // 2)]
            low = start[1] + 20
            return [start, (start[0], low), (tx + tw // 2, low), (tx + tw // 2, ty + th if ty < low else ty)]
        if abs((tx + tw // 2) - (sx + sw // 2)) < 2 and ty > sy:      # straight down, same column
            return [(sx + sw // 2, sy + sh), (tx + tw // 2, ty)]
        if tx > sx:
            a, b = (sx + sw, sy + sh // 2), (tx, ty + th // 2)
            if a[1] == b[1]:
                return [a, b]
            mid = (a[0] + b[0]) // 2
            return [a, (mid, a[1]), (mid, b[1]), b]
        # back edge: leave below, come in from below
        a, b = (sx + sw // 2, sy + sh), (tx + tw // 2, ty + th)
        low = max(a[1], b[1]) + 18
        return [a, (a[0], low), (b[0], low), b]

    # -- output -----------------------------------------------------------------------------
    def to_xml(self) -> str:
        tops, rows = self._lane_tops(), self._lane_rows()
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
               'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
               'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
               'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
               'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
               f'id="Defs_{self.key}" targetNamespace="http://xinfang.example/bpmn">',
               f'  <bpmn:collaboration id="Collab_{self.key}">',
               f'    <bpmn:participant id="Part_{self.key}" name={quoteattr(self.name)} processRef="{self.key}"/>',
               '  </bpmn:collaboration>',
               f'  <bpmn:process id="{self.key}" name={quoteattr(self.name)} isExecutable="true">',
               f'    <bpmn:laneSet id="Lanes_{self.key}">']
        for group, label in self.lanes:
            refs = "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in self.nodes.values()
                           if n.lane == group)
            refs += "".join(f"<bpmn:flowNodeRef>{b.id}</bpmn:flowNodeRef>" for b in self.boundaries
                            if self.nodes[b.attached].lane == group)
            out.append(f'      <bpmn:lane id="Lane_{group}" name={quoteattr(label)}>{refs}</bpmn:lane>')
        out.append('    </bpmn:laneSet>')
        incoming = {nid: [f.id for f in self.flows if f.dst == nid] for nid in self.nodes}
        outgoing = {nid: [f.id for f in self.flows if f.src == nid] for nid in self.nodes}
        for n in self.nodes.values():
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in n.attrs.items())
            links = "".join(f"<bpmn:incoming>{i}</bpmn:incoming>" for i in incoming[n.id])
            links += "".join(f"<bpmn:outgoing>{o}</bpmn:outgoing>" for o in outgoing[n.id])
            out.append(f'    <bpmn:{n.kind} id="{n.id}" name={quoteattr(n.name)}{attrs}>{n.body}{links}{n.tail}'
                       f'</bpmn:{n.kind}>')
        for b in self.boundaries:
            outs = "".join(f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in self.flows if f.src == b.id)
            out.append(f'    <bpmn:boundaryEvent id="{b.id}" name={quoteattr(b.name)} attachedToRef="{b.attached}" '
                       f'cancelActivity="{"true" if b.interrupting else "false"}">{outs}<bpmn:timerEventDefinition>'
                       f'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{escape(b.timer)}</bpmn:timeDate>'
                       f'</bpmn:timerEventDefinition></bpmn:boundaryEvent>')
        for f in self.flows:
            name = f" name={quoteattr(f.name)}" if f.name else ""
            if f.condition is None:
                out.append(f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.src}" targetRef="{f.dst}"/>')
            else:
                out.append(f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.src}" targetRef="{f.dst}">'
                           f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(f.condition)}'
                           f'</bpmn:conditionExpression></bpmn:sequenceFlow>')
        out.append('  </bpmn:process>')
        out += self._di(tops, rows)
        out.append('</bpmn:definitions>')
        return "\n".join(out) + "\n"

    def _di(self, tops, rows) -> list[str]:
        width = self._width()
        height = sum(rows.values()) * ROW_H
        out = [f'  <bpmndi:BPMNDiagram id="Diagram_{self.key}">',
               f'    <bpmndi:BPMNPlane id="Plane_{self.key}" bpmnElement="Collab_{self.key}">',
               f'      <bpmndi:BPMNShape id="Part_{self.key}_di" bpmnElement="Part_{self.key}" isHorizontal="true">'
               f'<dc:Bounds x="{LEFT - LANE_LABEL}" y="{TOP}" width="{width + LANE_LABEL}" height="{height}"/>'
               f'</bpmndi:BPMNShape>']
        for group, _ in self.lanes:
            out.append(f'      <bpmndi:BPMNShape id="Lane_{group}_di" bpmnElement="Lane_{group}" isHorizontal="true">'
                       f'<dc:Bounds x="{LEFT}" y="{tops[group]}" width="{width}" height="{rows[group] * ROW_H}"/>'
                       f'</bpmndi:BPMNShape>')
        for nid in [*self.nodes, *(b.id for b in self.boundaries)]:
            x, y, w, h = self.bounds(nid)
            extra = ' isMarkerVisible="true"' if nid in self.nodes and self.nodes[nid].kind == "exclusiveGateway" else ""
            out.append(f'      <bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"{extra}>'
                       f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')
        for f in self.flows:
            pts = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in self._waypoints(f))
            out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{pts}</bpmndi:BPMNEdge>')
        out += ['    </bpmndi:BPMNPlane>', '  </bpmndi:BPMNDiagram>']
        return out
