"""Deploy-time validation of BPMN bundles: XSD, then our own rules.

Uploading a diagram is deploying code, so anything the engine would evaluate is
checked here, and every problem comes back with file, line and element id.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR


from engine.bpmn import expressions, timer_bounds
from engine.bpmn.parsing import new_parser
from engine.bpmn.scripting import EXPRESSION_FUNCTIONS, handler_parameters
from engine.clock import utcnow

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
MAX_CYCLES = 10
_DEADLINE_CALL = re.compile(r'^deadline\(\s*(["\'])[A-Za-z_][A-Za-z0-9_]*\1\s*\)$')


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    element: str | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _xml_parser() -> etree.XMLParser:
    """No entity expansion, no network: uploaded XML is untrusted."""
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False,
                           huge_tree=False, load_dtd=False)


def parse_xml(name: str, content: bytes | str) -> tuple[etree._ElementTree | None, list[Problem]]:
    if isinstance(content, str):
        content = content.encode("utf-8")
    try:
        tree = etree.ElementTree(etree.fromstring(content, _xml_parser()))
    except etree.XMLSyntaxError as err:
        return None, [Problem(name, err.lineno, None, f"not well-formed XML: {err.msg}")]
    root = tree.getroot()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        # entities are never expanded (see _xml_parser), but a DTD has no place in BPMN either: refused
        # here with its line rather than failing later, deep in the parser, as a traceback
        return None, [Problem(name, 1, None, "a DOCTYPE or <!ENTITY …> declaration is not allowed in a BPMN "
                                             "file: remove it (BPMN 2.0 files have none)")]
    if root.tag != f"{{{BPMN}}}definitions":
        return None, [Problem(name, root.sourceline, None,
                              "not a BPMN 2.0 file: the root element must be bpmn:definitions")]
    return tree, []


def owner_id(node) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def xsd_problems(name: str, tree) -> list[Problem]:
    VALIDATOR.preprocess(tree)
    schema = VALIDATOR.validator
    if schema.validate(tree):
        return []
    by_line = {el.sourceline: el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    return [Problem(name, e.line, by_line.get(e.line), f"schema: {e.message}") for e in schema.error_log]


def rule_problems(name: str, tree, known_processes: set[str], handlers, dependencies: set[str]) -> list[Problem]:
    """Our rules on the XML itself, where line numbers are exact. `handlers`: the registry
    (.get_handler); `dependencies`: the names a handler may ask the engine for."""
    out: list[Problem] = []
    root = tree.getroot()

    def add(node, message: str) -> None:
        out.append(Problem(name, node.sourceline, owner_id(node), message))

    for node in root.iterfind(".//bpmn:scriptTask", NS):
        add(node, "script tasks are refused: put the logic in a registered handler (service task)")
    for tag in ("preScript", "postScript"):
        for node in root.iterfind(f".//spiffworkflow:{tag}", NS):
            add(node, f"{tag} is refused: scripts never run; use a service task")
    for node in root.iterfind(".//bpmn:subProcess[@triggeredByEvent='true']", NS):
        add(node, "event subprocesses are unsupported (SpiffWorkflow ignores isInterrupting); "
                  "use a boundary event on a subprocess")
    for node in root.iterfind(".//bpmn:conditionExpression", NS):
        _check_expression(add, node, node.text)
    for tag in ("loopCardinality", "completionCondition"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            _check_expression(add, node, node.text)
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            problem = timer_problem(tag, (node.text or "").strip())
            if problem:
                add(node, problem)
    for node in root.iterfind(".//bpmn:serviceTask", NS):
        out.extend(Problem(name, line, node.get("id"), msg) for line, msg in _service_task_problems(node, handlers, dependencies))
    lanes = {ref.text.strip() for ref in root.iterfind(".//bpmn:lane/bpmn:flowNodeRef", NS) if ref.text}
    for node in root.iterfind(".//bpmn:userTask", NS):
        groups = node.find(".//spiffworkflow:property[@name='candidateGroups']", NS)
        if node.get("id") not in lanes and (groups is None or not (groups.get("value") or "").strip()):
            add(node, "user task has neither a lane nor candidateGroups: nobody could ever see it")
    out.extend(reference_problems(name, root))
    for node in root.iterfind(".//bpmn:callActivity", NS):
        target = node.get("calledElement")
        if not target or target not in known_processes:
            add(node, f"call activity refers to unknown process {target!r}")
    return out


def _check_expression(add, node, text: str | None) -> None:
    text = (text or "").strip()
    if not text:
        add(node, "empty expression")
        return
    for message in expressions.check(text, functions=EXPRESSION_FUNCTIONS):
        add(node, f"expression {text[:80]!r}: {message}")


_REFERENCES = ("sourceRef", "targetRef", "processRef", "attachedToRef", "default", "bpmnElement")


def reference_problems(name: str, root) -> list[Problem]:
    """Flows, participants, boundary events and diagram shapes must point at elements that exist;
    the parser would otherwise fail later without a line, or bpmn-js would drop the shape."""
    ids = {node.get("id") for node in root.iter() if node.get("id")}
    out = []
    for node in root.iter():
        for attr in _REFERENCES:
            ref = node.get(attr)
            if ref and ref.rsplit(":", 1)[-1] not in ids:
                out.append(Problem(name, node.sourceline, node.get("id") or ref,
                                   f"{etree.QName(node).localname} {attr}={ref!r} refers to no element of this file"))
    return out


def timer_problem(kind: str, text: str) -> str | None:
    """A timer must be a quoted ISO 8601 literal or deadline("name"); anything else is refused."""
    if _DEADLINE_CALL.match(text):
        if kind != "timeDate":
            return f"deadline(...) gives a date, so it belongs in a timeDate timer, not {kind}"
        return None
    if len(text) < 2 or text[0] not in "\"'" or text[-1] != text[0]:
        return (f"timer {kind} {text!r} must be a quoted ISO 8601 literal such as \"P15D\", "
                f"or deadline(\"name\")")
    value = text[1:-1]
    try:
        timer_bounds.check(kind, value, utcnow(), MAX_CYCLES)
    except timer_bounds.TimerOutOfRange as err:
        return f"timer {kind}: {err}"
    return None


def _service_task_problems(node, handlers, dependencies: set[str]) -> list[tuple[int, str]]:
    operator = node.find(".//spiffworkflow:serviceTaskOperator", NS)
    if operator is None:
        return [(node.sourceline, "service task has no spiffworkflow:serviceTaskOperator (handler name)")]
    name = operator.get("id") or ""
    try:
        fn = handlers.get_handler(name)
    except KeyError:
        return [(operator.sourceline, f"unknown handler {name!r}")]
    required, optional, deps = handler_parameters(fn)
    out = []
    unknown_deps = deps - dependencies - {"data"}
    if unknown_deps:
        out.append((operator.sourceline, f"handler {name!r} asks for unknown dependencies {sorted(unknown_deps)}"))
    given = {}
    for param in operator.iterfind(".//spiffworkflow:parameter", NS):
        given[param.get("id")] = param
        problems = expressions.check(param.get("value") or "", functions=EXPRESSION_FUNCTIONS)
        out.extend((param.sourceline, f"parameter {param.get('id')!r}: {m}") for m in problems)
    for missing in sorted(required - set(given)):
        out.append((operator.sourceline, f"handler {name!r} needs parameter {missing!r}"))
    for extra in sorted(set(given) - required - optional):
        out.append((given[extra].sourceline, f"handler {name!r} has no parameter {extra!r}"))
    return out


def executable_processes(tree) -> list[str]:
    return [p.get("id") for p in tree.getroot().iterfind("bpmn:process", NS)
            if p.get("isExecutable", "false").lower() == "true"]


def all_processes(tree) -> list[str]:
    return [p.get("id") for p in tree.getroot().iterfind("bpmn:process", NS)]


def build_specs(trees: dict[str, object], keys: list[str]) -> tuple[dict, list[Problem]]:
    """Run SpiffWorkflow's own parser over the bundle; returns {key: (spec, subprocess_specs)}."""
    parser = new_parser()
    parser.validator = None          # XSD already reported, with every error rather than the last
    try:
        for name, tree in trees.items():
            parser.add_bpmn_xml(tree, filename=name)
        return {key: (parser.get_spec(key), parser.get_subprocess_specs(key)) for key in keys}, []
    except ValidationException as err:
        return {}, [Problem(err.file_name or "", err.line_number or None, err.id or None, str(err).splitlines()[0])]
