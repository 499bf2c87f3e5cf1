"""The JSON Schema form renderer: every supported widget renders, and parses back to valid JSON."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from werkzeug.datastructures import MultiDict

from webui.formrender import field_errors, options, parse_form, render_form
from tests.support.paths import ROOT

SCHEMA = {
    "type": "object", "required": ["decision", "reason"],
    "properties": {
        "decision": {"type": "string", "title": "处理方式", "oneOf": [{"const": "transfer", "title": "转送"},
                                                                    {"const": "assign", "title": "交办"}]},
        "reason": {"type": "string", "title": "理由", "x-widget": "textarea", "maxLength": 50},
        "deadline": {"type": "string", "format": "date", "title": "期限"},
        "urgent": {"type": "boolean", "title": "紧急"},
        "persons": {"type": "integer", "title": "人数", "minimum": 1},
        "amount": {"type": "number", "title": "金额"},
        "tags": {"type": "array", "title": "标记", "items": {"type": "string", "enum": ["a", "b"]}},
        "units": {"type": "array", "title": "协办单位", "maxItems": 3, "items": {
            "type": "object", "required": ["code"],
            "properties": {"code": {"type": "string", "title": "单位"}, "lead": {"type": "boolean", "title": "主办"}}}},
    },
}


def test_every_widget_renders_with_its_chinese_title():
    html = str(render_form(SCHEMA, {"decision": "assign", "units": [{"code": "gov", "lead": True}]}))
    assert '<option value="assign" selected>交办</option>' in html
    assert '<textarea id="f-reason" name="reason" rows="4" required maxlength="50">' in html
    assert 'type="date"' in html and 'type="number" id="f-persons"' in html and 'step="1"' in html
    assert 'type="checkbox" id="f-urgent" name="urgent"' in html
    assert 'name="tags" value="a"' in html
    assert 'name="units.0.code" value="gov"' in html and 'name="units.1.code"' in html, "one empty row to add"
    assert "处理方式" in html and '<span class="req"' in html


def test_values_are_escaped():
    html = str(render_form(SCHEMA, {"reason": '<script>alert("x")</script>'}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_errors_appear_next_to_their_fields():
    errors = field_errors([{"field": "reason", "message": "'reason' is a required property"},
                           {"field": "persons", "message": "'x' is not of type 'integer'"}])
    html = str(render_form(SCHEMA, {}, errors))
    reason = html[html.index('data-field="reason"'):]
    assert reason.index("此项必填") < reason.index("</div></div>") + 20
    assert "请输入数字" in html and "has-error" in html


def test_parsed_form_is_valid_json_for_the_schema():
    form = MultiDict([("decision", "transfer"), ("reason", " 属地管理 "), ("deadline", "2026-12-01"),
                      ("urgent", "true"), ("persons", "3"), ("amount", "12.5"), ("tags", "a"), ("tags", "b"),
                      ("units.0.code", "gov"), ("units.0.lead", "true"), ("units.1.code", ""), ("csrf_token", "x")])
    data = parse_form(SCHEMA, form)
    assert data == {"decision": "transfer", "reason": "属地管理", "deadline": "2026-12-01", "urgent": True,
                    "persons": 3, "amount": 12.5, "tags": ["a", "b"], "units": [{"code": "gov", "lead": True}]}
    assert not list(Draft202012Validator(SCHEMA).iter_errors(data))


def test_unparseable_numbers_pass_through_for_validation_to_report():
    data = parse_form(SCHEMA, MultiDict([("persons", "three"), ("urgent", "")]))
    assert data == {"persons": "three", "urgent": False}
    problems = [e.message for e in Draft202012Validator(SCHEMA).iter_errors(data)]
    assert any("is not of type 'integer'" in p for p in problems)


def test_empty_fields_are_left_out_so_required_is_reported():
    assert parse_form(SCHEMA, MultiDict([("decision", ""), ("reason", "   ")])) == {"urgent": False}


def test_enum_titles_from_enum_names():
    assert options({"enum": ["x", "y"], "enumNames": ["甲", "乙"]}) == [("x", "甲"), ("y", "乙")]
    assert options({"enum": ["x"]}) == [("x", "x")]


def test_no_form_renders_nothing():
    assert str(render_form(None)) == "" and parse_form(None, MultiDict()) == {}


def _schemas(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)


@pytest.mark.parametrize("path", sorted((ROOT / "bpmn" / "forms").glob("*.json")),
                         ids=lambda p: p.stem)
def test_every_shipped_form_carries_its_english(path):
    missing = []
    for node in _schemas(json.loads(path.read_text(encoding="utf-8"))):
        if isinstance(node.get("title"), str) and not node.get("x-title-en"):
            missing.append(node["title"])
        enum = node.get("enum")
        if isinstance(enum, list) and len(node.get("x-enumNames-en") or []) != len(enum):
            missing.append(f"options {enum}")
    assert not missing, missing


def test_labels_follow_the_chosen_language():
    from flask import Flask
    from flask_babel import Babel, force_locale
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    Babel(app)
    schema = {"type": "object", "properties": {
        "way": {"type": "string", "title": "方式", "x-title-en": "Way", "description": "说明",
                "x-description-en": "Explanation", "enum": ["即接即办"], "x-enumNames-en": ["Handled on receipt"]},
        "plain": {"type": "string", "title": "只有中文"}}}
    with app.test_request_context():
        chinese = str(render_form(schema))
        with force_locale("en"):
            english = str(render_form(schema))
    assert "方式" in chinese and "说明" in chinese and ">即接即办<" in chinese
    assert "Way" in english and "Explanation" in english and ">Handled on receipt<" in english
    assert "方式" not in english and "只有中文" in english          # no English given: shown as written
