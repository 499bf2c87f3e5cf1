"""Reading notices back as text, and what no letter may contain."""
from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document as Docx

from office.operations.demo import DEMO_UNITS, DEMO_USERS

GOLDEN = Path(__file__).resolve().parent / "golden"
EMPTY_PLACES = ("请于前", "第次", "经审查，。", "（）", "由处理", "向提出", "因，", "延长至。")
CODES = tuple(code for code, _name, _kind in DEMO_UNITS) + tuple(user for user, *_ in DEMO_USERS)


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in Docx(io.BytesIO(content)).paragraphs)


def documents(o, case_id: int) -> list[tuple[str, str]]:
    """(kind, text) of every notice of the case, in the order issued."""
    out = []
    for d in o.s.documents.list_documents(case_id, user="director"):
        out.append((d["kind"], text_of(o.s.documents.get_document(case_id, d["id"], user="director")[1])))
    return out


def defects(text: str) -> list[str]:
    """Blanks, internal codes and template tags a petition officer would not send."""
    found = [f"empty place {p!r}" for p in EMPTY_PLACES if p in text]
    found += [f"line starts with '：': {line!r}" for line in text.splitlines() if line.startswith("：")]
    found += [f"template tag in {line!r}" for line in text.splitlines() if "{{" in line or "{%" in line]
    found += [f"internal code {c!r}" for c in CODES if re.search(rf"(?<![A-Za-z_]){re.escape(c)}(?![A-Za-z_])", text)]
    return found
