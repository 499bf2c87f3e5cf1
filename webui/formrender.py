"""Server-side rendering and parsing of the JSON Schema subset task forms use.

Supported: an object of properties that are string (plain, `enum`/`oneOf` const+title or
`enumNames`, `format: date`, `x-widget: textarea`), boolean, integer, number, arrays of
enum strings (checkboxes) and arrays of simple objects (rows). Titles are shown as written
(Chinese in bpmn/forms/), or in English when English is chosen and the schema carries it:
`x-title-en`, `x-description-en`, `x-enumNames-en` and `x-title-en` on `oneOf` options — the form is
the analysts' data, versioned with the diagram, so its English travels with it rather than in the
Babel catalog. Parsing turns the posted form back into JSON for the server-side
validation in `Services.complete_task`; values that do not parse are passed on as text so
that validation reports them next to their field.
"""
from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any, Mapping

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

SCALARS = ("string", "integer", "number", "boolean")


def _type(schema: dict) -> str:
    t = schema.get("type", "string")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    return t


def _english() -> bool:
    try:
        locale = get_locale()
    except RuntimeError:            # outside a request (tests of the renderer alone): as written
        return False
    return bool(locale) and locale.language == "en"


def translated(schema: dict, key: str, default: str = "") -> str:
    """The schema's `title`/`description` in the reader's language."""
    value = (_english() and schema.get(f"x-{key}-en")) or schema.get(key) or default
    return str(value)


def options(schema: dict) -> list[tuple[str, str]]:
    """(value, label) pairs of an enum, from oneOf const/title, enumNames or the values themselves."""
    if "oneOf" in schema:
        return [(str(o.get("const")), translated(o, "title", str(o.get("const"))))
                for o in schema["oneOf"] if "const" in o]
    values = schema.get("enum") or []
    names = (_english() and schema.get("x-enumNames-en")) or schema.get("enumNames") or schema.get("x-enumNames") \
        or values
    return [(str(v), str(n)) for v, n in zip(values, names) if v is not None]


def _dom_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


# -- rendering --------------------------------------------------------------------------------
def render_form(schema: dict | None, values: Mapping | None = None, errors: Mapping | None = None,
                units: list[dict] | None = None) -> Markup:
    """The fields of `schema` as HTML, filled with `values`, with `errors` {field: [messages]} beside them.
    `units`: the directory's active units, for fields with `x-picker: unit` (a select of names that
    static/picker.js makes searchable; several for an array)."""
    if not schema:
        return Markup("")
    values, errors = values or {}, errors or {}
    required = set(schema.get("required") or [])
    _PICKER_UNITS.set(units or [])
    parts = [_field(name, prop, values.get(name), errors, name in required)
             for name, prop in (schema.get("properties") or {}).items()]
    top = errors.get("", [])
    head = Markup("".join(f'<p class="form-error">{escape(m)}</p>' for m in top))
    return head + Markup("\n").join(parts)


def _errors_html(name: str, errors: Mapping) -> Markup:
    return Markup("".join(f'<div class="field-error" role="alert">{escape(m)}</div>' for m in errors.get(name, [])))


def _label(name: str, schema: dict, required: bool, for_id: str | None = None) -> Markup:
    star = Markup('<span class="req" aria-hidden="true">*</span>') if required else Markup("")
    target = f' for="{for_id}"' if for_id else ""
    return Markup(f"<label{target}>{escape(translated(schema, 'title', name))}{star}</label>")


def _field(name: str, schema: dict, value: Any, errors: Mapping, required: bool) -> Markup:
    t = _type(schema)
    has_error = " has-error" if errors.get(name) else ""
    if schema.get("x-picker") == "unit":
        inner = _unit_picker(name, value, t == "array", required)
        label = _label(name, schema, required, _dom_id(name))
    elif t == "array":
        inner = _array(name, schema, value, errors)
        label = _label(name, schema, required)
    else:
        inner = _scalar(name, schema, value, required)
        label = _label(name, schema, required, _dom_id(name)) if t != "boolean" else Markup("")
    hint = Markup(f'<div class="hint">{escape(translated(schema, "description"))}</div>') \
        if schema.get("description") else ""
    return Markup(f'<div class="field{has_error}" data-field="{escape(name)}">{label}{inner}{hint}'
                  f'{_errors_html(name, errors)}</div>')


_PICKER_UNITS: ContextVar[list[dict]] = ContextVar("picker_units", default=[])


def _unit_picker(name: str, value: Any, many: bool, required: bool) -> Markup:
    """Units by name; the option values are the codes the server checks against the directory."""
    chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v}
    units = _PICKER_UNITS.get()
    known = {u["code"] for u in units}
    opts = "".join(f'<option value="{escape(u["code"])}"{" selected" if u["code"] in chosen else ""}>'
                   f'{escape(u["name"])}</option>' for u in units)
    opts += "".join(f'<option value="{escape(c)}" selected>{escape(c)}</option>' for c in sorted(chosen - known))
    blank = "" if many else '<option value="">—</option>'
    multiple = f' multiple size="{min(8, max(3, len(units)))}"' if many else ""
    label = escape(gettext("输入名称筛选"))
    return Markup(f'<select id="{_dom_id(name)}" name="{escape(name)}" data-picker="unit" data-filter-label="{label}"'
                  f'{multiple}{" required" if required and not many else ""}>{blank}{opts}</select>')


def _attrs(schema: dict, required: bool) -> str:
    out = " required" if required else ""
    for key, attr in (("maxLength", "maxlength"), ("minLength", "minlength"), ("minimum", "min"),
                      ("maximum", "max")):
        if key in schema:
            out += f' {attr}="{escape(schema[key])}"'
    return out


def _scalar(name: str, schema: dict, value: Any, required: bool) -> Markup:
    t, dom = _type(schema), _dom_id(name)
    ename = escape(name)
    text = "" if value is None else str(value)
    if t == "boolean":
        checked = " checked" if value in (True, "true", "on", "1") else ""
        return Markup(f'<label class="check"><input type="checkbox" id="{dom}" name="{ename}" value="true"{checked}> '
                      f'{escape(translated(schema, "title", name))}</label>')
    choices = options(schema)
    if choices:
        opts = "".join(f'<option value="{escape(v)}"{" selected" if v == text else ""}>{escape(label)}</option>'
                       for v, label in choices)
        blank = '<option value="">—</option>'
        return Markup(f'<select id="{dom}" name="{ename}"{" required" if required else ""}>{blank}{opts}</select>')
    if schema.get("x-widget") == "textarea":
        return Markup(f'<textarea id="{dom}" name="{ename}" rows="4"{_attrs(schema, required)}>{escape(text)}</textarea>')
    kind = {"integer": "number", "number": "number"}.get(t, "date" if schema.get("format") == "date" else "text")
    step = ' step="1"' if t == "integer" else (' step="any"' if t == "number" else "")
    return Markup(f'<input type="{kind}" id="{dom}" name="{ename}" value="{escape(text)}"{step}'
                  f'{_attrs(schema, required)}>')


def _array(name: str, schema: dict, value: Any, errors: Mapping) -> Markup:
    items = schema.get("items") or {}
    value = value if isinstance(value, list) else []
    if _type(items) == "string" and options(items):
        boxes = "".join(
            f'<label class="check"><input type="checkbox" name="{escape(name)}" value="{escape(v)}"'
            f'{" checked" if v in map(str, value) else ""}> {escape(label)}</label>' for v, label in options(items))
        return Markup(f'<div class="checks">{boxes}</div>')
    props = items.get("properties") or {}
    required = set(items.get("required") or [])
    rows = value + [{}] if len(value) < int(schema.get("maxItems", 50)) else value
    html = []
    for i, row in enumerate(rows):
        cells = [_field(f"{name}.{i}.{key}", prop, (row or {}).get(key), errors, key in required)
                 for key, prop in props.items()]
        html.append(f'<fieldset class="row" data-index="{i}">{"".join(cells)}</fieldset>')
    return Markup(f'<div class="rows" data-name="{escape(name)}">{"".join(html)}</div>')


# -- parsing ----------------------------------------------------------------------------------
def _coerce(schema: dict, raw: str | None) -> Any:
    t = _type(schema)
    if t == "boolean":
        return raw in ("true", "on", "1")
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "":
        return None
    try:
        if t == "integer":
            return int(raw)
        if t == "number":
            number = float(raw)
            return int(number) if number.is_integer() and "." not in raw else number
    except ValueError:
        return raw
    return raw


def parse_form(schema: dict | None, form) -> dict:
    """Form data (a werkzeug MultiDict) → a JSON object shaped by `schema`. Empty fields are left out."""
    if not schema:
        return {}
    out: dict = {}
    for name, prop in (schema.get("properties") or {}).items():
        t = _type(prop)
        if t == "array":
            value = _parse_array(name, prop, form)
        else:
            value = _coerce(prop, form.get(name))
        if value is not None:
            out[name] = value
    return out


def _parse_array(name: str, schema: dict, form) -> list | None:
    """None when nothing was chosen or filled, so `required`/`minItems` report it."""
    items = schema.get("items") or {}
    if _type(items) in SCALARS:
        values = [v for v in (_coerce(items, raw) for raw in form.getlist(name)) if v is not None]
        return values or None
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)\.(.+)$")
    indices = sorted({int(m.group(1)) for key in form.keys() if (m := pattern.match(key))})
    rows = []
    for i in indices[:200]:
        row = {}
        for key, prop in (items.get("properties") or {}).items():
            value = _coerce(prop, form.get(f"{name}.{i}.{key}"))
            if value is not None and not (_type(prop) == "boolean" and value is False):
                row[key] = value
        if row:
            rows.append(row)
    return rows or None


# -- messages ---------------------------------------------------------------------------------
FRIENDLY = [(re.compile(r"is a required property|^required$"), _l("此项必填")),
            (re.compile(r"is not of type '(integer|number)'"), _l("请输入数字")),
            (re.compile(r"is not of type"), _l("格式不正确")),
            (re.compile(r"is not one of"), _l("请从选项中选择")),
            (re.compile(r"is too long"), _l("内容过长")),
            (re.compile(r"is too short|should be non-empty"), _l("内容过短")),
            (re.compile(r"does not match"), _l("格式不正确")),
            (re.compile(r"is less than|^不能小于"), _l("数值过小")),
            (re.compile(r"is greater than"), _l("数值过大")),
            (re.compile(r"is not a '?date'?"), _l("请输入日期（年-月-日）"))]
# The engine's own form messages (engine/intake.py, engine/selfservice.py) are Chinese; listed here so
# the catalog keeps their English, which field_errors looks up. tests/e2e/web/test_english.py renders them.
ENGINE_TEXTS = (_l("姓名必填（或勾选匿名）"), _l("身份证号码应为18位"), _l("电话号码格式不正确"), _l("应为整数"),
                _l("请选择信访形式"), _l("事由必填，最多200字"), _l("内容必填"), _l("请选择信访目的"),
                _l("请选择内容分类"), _l("问题属地应为6至12位行政区划代码"), _l("请选择被反映机关类型"),
                _l("至少登记一名信访人，或勾选匿名"), _l("集体访人数应不少于5人"), _l("代表不超过5人"),
                _l("只有集体访需要登记代表"), _l("请选择满意、基本满意或不满意"), _l("请写明申请复查的理由"),
                _l("身份证号码不正确（请核对出生日期和校验位）"), _l("电话号码不正确（手机号11位，固定电话请加区号）"),
                _l("请说明号码经核实无误的情况"), _l("请选择来源"), _l("请选择代表建议或议案"),
                _l("标题必填，最多200字"), _l("请至少选择一件信访件"), _l("请填写建议或议案编号"), _l("请填写答复内容"))
# Messages that name what was typed (a unit, a region): in Chinese as written, in English in general words.
NAMED = [(re.compile(r"这个单位"), _l("没有这个单位，请从单位名录中选择")), (re.compile(r"已停用"), _l("该单位已停用，请另选")),
         (re.compile(r"这个行政区划"), _l("没有这个行政区划，请从列表中选择")),
         (re.compile(r"可能是："), _l("有几个同名的行政区划，请从列表中选择")),
         (re.compile(r"^没有编号为"), _l("没有这个编号的信访件，请核对信访件编号")),
         (re.compile(r"没有这个热点"), _l("该月没有这个热点，请从列表中选择")),
         (re.compile(r"^代表名录中没有"), _l("代表名录中没有这位代表"))]


def field_errors(details) -> dict[str, list[str]]:
    """ValidationFailed details [{field, message}] → {field: [friendly messages]}."""
    out: dict[str, list[str]] = {}
    for item in details if isinstance(details, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        friendly = next((str(text) for pattern, text in FRIENDLY if pattern.search(message)), None)
        if friendly is None and _english():
            friendly = next((str(text) for pattern, text in NAMED if pattern.search(message)), None)
        out.setdefault(str(item.get("field") or ""), []).append(friendly or gettext(message))
    return out


def initial_values(schema: dict | None, data: Mapping | None) -> dict:
    """What a form opens with: a handler's suggestion (`suggested_<field>`, e.g. the category the
    triage handler proposes) or the case's current value, for the fields the form has."""
    data = data or {}
    out = {}
    for name in (schema or {}).get("properties", {}):
        value = data.get(f"suggested_{name}", data.get(name))
        if value not in (None, "") and not isinstance(value, dict):
            out[name] = value
    return out


# -- what was submitted ---------------------------------------------------------------------
def render_answers(schema: dict | None, data: Mapping | None, names: Mapping | None = None) -> Markup:
    """A completed step as the next person reads it: each field of its form that has a value,
    under the form's own label (in the reader's language), enum values as their labels, unit and
    region codes as the names the service put in `names`."""
    data, names = data or {}, names or {}
    props = (schema or {}).get("properties") or {key: {} for key in data}
    rows = []
    for name, prop in props.items():
        value = data.get(name)
        if value in (None, "", []) or (prop.get("type") == "boolean" and value is False and "const" not in prop):
            continue
        shown = names[name] if name in names else _answer(prop, value)
        rows.append(f'<dt>{escape(translated(prop, "title", name))}</dt><dd data-field="{escape(name)}">'
                    f'{shown}</dd>')
    return Markup(f'<dl class="answers">{"".join(rows)}</dl>') if rows else Markup("")


def _answer(prop: dict, value: Any) -> Markup:
    if isinstance(value, bool):
        return escape(gettext("是") if value else gettext("否"))
    if isinstance(value, list):
        items = prop.get("items") or {}
        if items.get("properties"):
            return Markup("").join(Markup("<div>") + render_answers(items, row) + Markup("</div>")
                                   for row in value if isinstance(row, dict))
        return escape("、".join(str(_label_of(items, v)) for v in value))
    return Markup(escape(_label_of(prop, value))).replace("\n", Markup("<br>"))


def _label_of(prop: dict, value: Any) -> str:
    return dict(options(prop)).get(str(value), str(value)) if options(prop) else str(value)
