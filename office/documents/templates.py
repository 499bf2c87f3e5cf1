"""An office's own notice templates: Word files it edits, checked before they replace ours.

A template may use only the fields documented for its kind (processes.notice_kinds, listed in
docs/notices.md); an unknown field would print a blank in every letter, so the upload is refused
and the field named."""
from __future__ import annotations

import io
from pathlib import Path

from docxtpl import DocxTemplate

from engine.errors import ValidationFailed
from processes.notice_kinds import BY_KIND, unknown_fields
from processes.notices import TEMPLATES


def check_template(kind: str, content: bytes) -> list[str]:
    """The fields the template uses; ValidationFailed names an unknown kind, a file that is not a
    .docx template, or each unknown field."""
    if kind not in BY_KIND:
        raise ValidationFailed(f"没有“{kind}”这种文书；可用：{'、'.join(BY_KIND)}")
    try:
        used = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables()
    except Exception as err:   # a zip, XML or Jinja error: the file is not a usable template
        raise ValidationFailed(f"{kind}模板无法读取（需为含 {{{{ 字段 }}}} 的 .docx 文件）：{err}") from err
    unknown = unknown_fields(kind, used)
    if unknown:
        allowed = "、".join(sorted(BY_KIND[kind].fields))
        raise ValidationFailed(f"{kind}模板含有未知字段：{'、'.join(unknown)}（可用字段：{allowed}）",
                               details=[{"field": f, "message": "未知字段"} for f in unknown])
    return sorted(used)


def upload_template(kind: str, content: bytes, *, templates: Path = TEMPLATES) -> dict:
    """Replaces the kind's template after the check; the next notice of that kind uses it."""
    used = check_template(kind, content)
    (templates / f"{kind}.docx").write_bytes(content)
    return {"kind": kind, "fields": used}
