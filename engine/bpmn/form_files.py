"""Task forms edited in the process editor and deployed with the diagram.

A definition stores the forms its diagrams reference in its bundle ("forms/<key>.json"), so a
case keeps the form it was started with however often the form is edited afterwards. A form
must be a valid JSON Schema *and* fit the subset webui/formrender.py can render, otherwise a
user would face a task whose fields cannot be shown.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.errors import ValidationFailed
from engine.bpmn.lint import NS, Problem, owner_id, parse_xml

FORM_KEY = re.compile(r"^[a-z0-9_]{1,64}$")
PREFIX = "forms/"
MAX_FORM_CHARS = 256 * 1024
SCALARS = ("string", "integer", "number", "boolean")
WIDGETS = (None, "textarea")
PICKERS = (None, "unit", "region")      # fields that name a unit or a region: a picker of the directory


def bundle_name(key: str) -> str:
    return f"{PREFIX}{key}.json"


def is_form_file(name: str) -> bool:
    return name.startswith(PREFIX)


def key_of(name: str) -> str | None:
    """The form key of a bundle entry "forms/<key>.json", None when the name is not one."""
    match = re.fullmatch(r"forms/([a-z0-9_]{1,64})\.json", name)
    return match.group(1) if match else None


def check_form(text: str) -> dict:
    """The schema, or ValidationFailed whose details are [{path, line, message}] for each problem."""
    schema, problems = form_problems(text)
    if problems:
        first = problems[0]
        where = " ".join(filter(None, (first["path"], first.get("line") and f"(line {first['line']})")))
        where = f"{where}: " if where else ""
        raise ValidationFailed(f"the form is not usable: {where}{first['message']}", problems)
    return schema


def form_problems(text: str) -> tuple[dict | None, list[dict]]:
    """JSON syntax (with line and column), JSON Schema 2020-12, then the renderer's subset."""
    if not isinstance(text, str) or not text.strip():
        return None, [{"path": "", "line": None, "message": "the form is empty: write a JSON Schema object"}]
    if len(text) > MAX_FORM_CHARS:
        return None, [{"path": "", "line": None, "message": f"the form is longer than {MAX_FORM_CHARS} characters"}]
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as err:
        return None, [{"path": "", "line": err.lineno, "column": err.colno,
                       "message": f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})"}]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        return None, [{"path": err.json_path, "line": _line_of(text, err.path), "message": err.message}]
    problems = [{"path": path, "line": _line_of(text, _keys(path)), "message": message}
                for path, message in _subset_problems(schema)]
    return schema, problems


def _keys(path: str) -> list[str]:
    return [p for p in path.lstrip("$").split(".") if p]


def _line_of(text: str, path) -> int | None:
    """The line of the last key of `path` in the text: good enough to point at the problem."""
    keys = [str(k) for k in path if isinstance(k, str)]
    if not keys:
        return None
    at = 0
    for key in keys:
        found = text.find(json.dumps(key, ensure_ascii=False), at)
        if found < 0:
            found = text.find(json.dumps(key), at)
        if found < 0:
            return None
        at = found
    return text.count("\n", 0, at) + 1


def _type(schema: dict) -> str:
    t = schema.get("type", "string")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    return t


def _subset_problems(schema) -> list[tuple[str, str]]:
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return [("$", 'a form is an object schema: {"type": "object", "properties": {…}}')]
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        return [("$.properties", "a form needs at least one field under properties")]
    out = [("$.required", f"required names {name!r}, which is not a field under properties")
           for name in schema.get("required") or [] if name not in properties]
    for name, prop in properties.items():
        out += _field_problems(f"$.properties.{name}", prop, allow_rows=True)
    return out


def _english_problems(path: str, prop: dict) -> list[tuple[str, str]]:
    """The English a form may carry for the English UI (webui/formrender.py `translated`)."""
    out = [(f"{path}.{key}", f"{key} is the English text: a string") for key in ("x-title-en", "x-description-en")
           if key in prop and not isinstance(prop[key], str)]
    names = prop.get("x-enumNames-en")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)
                                  and len(names) == len(prop.get("enum") or [])):
        out.append((f"{path}.x-enumNames-en", "x-enumNames-en names each enum value in English, in order"))
    return out


def _field_problems(path: str, prop, allow_rows: bool) -> list[tuple[str, str]]:
    if not isinstance(prop, dict):
        return [(path, "a field is an object such as {\"type\": \"string\", \"title\": \"…\"}")]
    kind = _type(prop)
    out = []
    if prop.get("x-widget") not in WIDGETS:
        out.append((f"{path}.x-widget", f"unknown widget {prop.get('x-widget')!r}; only \"textarea\" is supported"))
    if prop.get("x-picker") not in PICKERS:
        out.append((f"{path}.x-picker", f"unknown picker {prop.get('x-picker')!r}; \"unit\" or \"region\""))
    out += _english_problems(path, prop)
    if kind in SCALARS:
        return out
    if kind != "array" or not allow_rows:
        what = "nested arrays" if kind == "array" else f"fields of type {kind!r}"
        return out + [(f"{path}.type", f"{what} cannot be shown; use string, integer, number, boolean "
                                       "or an array (of enum strings or of rows)")]
    items = prop.get("items")
    if not isinstance(items, dict):
        return out + [(f"{path}.items", "an array field needs items: enum strings or an object of simple fields")]
    if _type(items) in SCALARS:
        return out
    if _type(items) != "object" or not isinstance(items.get("properties"), dict):
        return out + [(f"{path}.items", "array items are simple values (enum strings give checkboxes) "
                                        "or an object with properties (rows)")]
    for name, cell in items["properties"].items():
        out += _field_problems(f"{path}.items.properties.{name}", cell, allow_rows=False)
    return out


# -- deploy -----------------------------------------------------------------------------------
def references(name: str, tree) -> list[tuple[str, int | None, str | None]]:
    """(form key, line, element id) for every form a diagram's tasks name."""
    out = []
    for node in tree.getroot().iterfind(".//spiffworkflow:property[@name='formKey']", NS):
        out.append(((node.get("value") or "").strip(), node.sourceline, owner_id(node)))
    for node in tree.getroot().iterfind(".//spiffworkflow:formJsonSchemaFilename", NS):
        out.append(((node.text or "").strip(), node.sourceline, owner_id(node)))
    return [(key[:-5] if key.endswith(".json") else key, line, element) for key, line, element in out if key]


def bundle_forms(trees: dict, given: dict[str, str], inherited: dict[str, str],
                 forms_dir: Path | None) -> tuple[dict[str, str], list[Problem]]:
    """The forms to store with a deploy: those sent along win over those of called processes'
    definitions, which win over bpmn/forms/ (how definitions deployed before forms were bundled
    resolve, and how `xinfang deploy` finds them)."""
    problems = [Problem(name, None, None, "a form file is named forms/<key>.json, the key of a-z, 0-9 and _")
                for name in given if key_of(name) is None]
    forms = {name: text for name, text in inherited.items() if key_of(name)}
    checked: dict[str, list[dict]] = {}
    for file, tree in trees.items():
        for key, line, element in references(file, tree):
            if not FORM_KEY.match(key):
                problems.append(Problem(file, line, element, f"form key {key!r} must be 1–64 of a-z, 0-9 and _"))
                continue
            text = given.get(bundle_name(key)) or forms.get(bundle_name(key)) or form_from_dir(forms_dir, key)
            if text is None:
                problems.append(Problem(file, line, element, f"form {key!r} does not exist: create it in the "
                                                             "form editor or add bpmn/forms/" + f"{key}.json"))
                continue
            if key not in checked:
                checked[key] = form_problems(text)[1]
            problems += [Problem(file, line, element, f"form {key!r}: {p['path'] or '$'}: {p['message']}")
                         for p in checked[key]]
            forms[bundle_name(key)] = text
    return forms, problems


def definition_forms(bundle: dict[str, str], forms_dir: Path | None) -> dict[str, str]:
    """{key: JSON text} of the forms a definition's diagrams use, as its cases see them."""
    forms = {key_of(name): text for name, text in bundle.items() if key_of(name)}
    for name, text in bundle.items():
        tree = None if is_form_file(name) else parse_xml(name, text)[0]
        for key, _, _ in references(name, tree) if tree is not None else []:
            if key not in forms and FORM_KEY.match(key) and (found := form_from_dir(forms_dir, key)) is not None:
                forms[key] = found
    return forms


def form_from_dir(forms_dir: Path | None, key: str) -> str | None:
    path = forms_dir / f"{key}.json" if forms_dir is not None else None
    return path.read_text(encoding="utf-8") if path is not None and path.is_file() else None
