"""docs/glossary.md is the one home of the office's terms: no page, task form, diagram, stage or
notice uses a word the glossary rules out (its last column, in backticks) — 代表转来 as a channel,
专委办理, the ambiguous 已办结, 包案 alone, 重点案件（回头看）, （并行）."""
from __future__ import annotations

import json
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from handlers.milestones import STAGES
from handlers.routing import REVIEW_STAGES
from processes.templates.build_templates import TEXTS

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"


def table() -> list[list[str]]:
    rows = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def terms() -> set[str]:
    return {t.strip() for row in table() for t in row[0].split("/") if t.strip()}


def ruled_out() -> set[str]:
    return {word for row in table() for word in re.findall(r"`([^`]+)`", row[3])}


def ui_texts() -> list[str]:
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "pgettext": ((1, "c"), 2),
                "lazy_pgettext": ((1, "c"), 2)}
    found = extract_from_dir(str(ROOT / "webui"), method_map=[("**.py", "python"), ("templates/**.html", "jinja2")],
                             keywords=keywords)
    return [m if isinstance(m, str) else " ".join(x for x in m if x) for _, _, m, _, _ in found]


def form_texts() -> list[str]:
    out = []
    for path in sorted((ROOT / "bpmn" / "forms").glob("*.json")):
        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("title", "description") and isinstance(value, str):
                        out.append(value)
                    elif key == "enumNames":
                        out.extend(value)
                    elif key == "enum" and "enumNames" not in node:
                        out.extend(v for v in value if isinstance(v, str))   # the values people read
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        walk(json.loads(path.read_text(encoding="utf-8")))
    return out


def diagram_names() -> list[str]:
    return [name for path in sorted((ROOT / "bpmn").glob("*.bpmn"))
            for name in re.findall(r'\bname="([^"]*)"', path.read_text(encoding="utf-8"))]


def notice_texts() -> list[str]:
    return [line for salutation, paragraphs in TEXTS.values() for line in (salutation, *paragraphs)]


def offending(texts: list[str]) -> dict[str, list[str]]:
    """Each ruled-out word and the texts that use it (the glossary's own terms are allowed to
    contain it: 领导包案 and 包案化解率 contain 包案)."""
    allowed = sorted(terms(), key=len, reverse=True)
    out: dict[str, list[str]] = {}
    for text in texts:
        rest = text
        for term in allowed:
            if term not in ruled_out():
                rest = rest.replace(term, "")
        for word in ruled_out():
            if word in rest:
                out.setdefault(word, []).append(text)
    return out


def test_the_glossary_rules_out_the_words_the_office_corrected():
    assert {"代表转来", "专委办理", "已办结", "包案", "重点案件（回头看）", "（并行）"} <= ruled_out()
    assert {"领导包案", "人大代表转交", "已答复办结", "查询码", "回执", "复查申请期"} <= terms()


def test_pages_forms_diagrams_stages_and_notices_use_the_glossarys_words():
    texts = {"pages": ui_texts(), "forms": form_texts(), "diagrams": diagram_names(), "notices": notice_texts(),
             "stages": [s for s in STAGES.values() if s] + list(REVIEW_STAGES.values())}
    assert len(texts["pages"]) > 300 and len(texts["forms"]) > 50
    found = {where: offending(items) for where, items in texts.items()}
    assert not any(found.values()), json.dumps(found, ensure_ascii=False, indent=1)
