"""Importing diagrams drawn in Camunda Modeler: map what we understand, report what we drop.

Mapped: camunda:candidateGroups, camunda:formKey and camunda:properties/camunda:property become
spiffworkflow:property entries (the names our engine reads: candidateGroups, formKey, dueIn,
dueDeadline, priority, reminders, escalate, ...); camunda:dueDate holding an ISO 8601 duration
becomes dueIn. Every other camunda:* attribute or element is removed and listed as ignored.
"""
from __future__ import annotations

import re

from lxml import etree

from engine.bpmn import lint
from engine.errors import InvalidDiagram

CAMUNDA = ("http://camunda.org/schema/1.0/bpmn", "http://activiti.org/bpmn")   # the second: older files
SPIFF = lint.SPIFF
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_ATTRIBUTES = {"candidateGroups": "candidateGroups", "formKey": "formKey"}


def import_camunda(name: str, content: bytes | str) -> dict:
    """{"xml": converted text, "mapped": [...], "ignored": [...]}; malformed files raise InvalidDiagram."""
    tree, problems = lint.parse_xml(name, content)
    if problems:
        raise InvalidDiagram(problems[0].message if not problems[0].line else
                             f"{name}:{problems[0].line}: {problems[0].message}", [p.as_dict() for p in problems])
    mapped, ignored = [], []
    for node in list(tree.getroot().iter()):
        if not isinstance(node.tag, str) or _camunda(node.tag):
            continue
        found = _collect(node, mapped, ignored)
        if found:
            _write_properties(node, found)
    for node in [n for n in tree.getroot().iter() if isinstance(n.tag, str) and _camunda(n.tag)]:
        parent = node.getparent()
        if parent is None or _camunda(parent.tag):
            continue                                    # removed with its camunda parent
        if etree.QName(node).localname != "properties":
            ignored.append({"element": lint.owner_id(parent), "camunda": etree.QName(node).localname})
        parent.remove(node)
    _drop_empty_extensions(tree)
    etree.cleanup_namespaces(tree.getroot())
    xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    return {"xml": xml, "mapped": mapped, "ignored": ignored}


def _collect(node, mapped: list, ignored: list) -> list[tuple[str, str]]:
    element = node.get("id")
    found = []
    for attr in list(node.attrib):
        qname = etree.QName(attr)
        if qname.namespace not in CAMUNDA:
            continue
        value = node.attrib.pop(attr)
        target = _ATTRIBUTES.get(qname.localname)
        if qname.localname == "dueDate" and _DURATION.match(value):
            target = "dueIn"
        if target:
            found.append((target, value))
            mapped.append({"element": element, "camunda": qname.localname, "property": target, "value": value})
        else:
            ignored.append({"element": element, "camunda": qname.localname, "value": value})
    props = [p for ns in CAMUNDA for p in
             node.findall(f"{{{lint.BPMN}}}extensionElements/{{{ns}}}properties/{{{ns}}}property")]
    for prop in props:
        if prop.get("name"):
            found.append((prop.get("name"), prop.get("value", "")))
            mapped.append({"element": element, "camunda": "property", "property": prop.get("name"),
                           "value": prop.get("value", "")})
    return found


def _camunda(tag: str) -> bool:
    return tag.startswith("{") and tag[1:].split("}", 1)[0] in CAMUNDA


def _write_properties(node, found: list[tuple[str, str]]) -> None:
    ext = node.find(f"{{{lint.BPMN}}}extensionElements")
    if ext is None:
        ext = etree.Element(f"{{{lint.BPMN}}}extensionElements")
        node.insert(_after_documentation(node), ext)
    holder = ext.find(f"{{{SPIFF}}}properties")
    if holder is None:
        holder = etree.SubElement(ext, f"{{{SPIFF}}}properties", nsmap={"spiffworkflow": SPIFF})
    for key, value in found:
        etree.SubElement(holder, f"{{{SPIFF}}}property", name=key, value=value)


def _after_documentation(node) -> int:
    return sum(1 for child in node if child.tag == f"{{{lint.BPMN}}}documentation")


def _drop_empty_extensions(tree) -> None:
    for ext in list(tree.getroot().iter(f"{{{lint.BPMN}}}extensionElements")):
        if len(ext) == 0:
            ext.getparent().remove(ext)
