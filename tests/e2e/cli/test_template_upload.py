"""`xinfang template-upload KIND FILE`: an office's Word template replaces ours only when every
field it uses is one documented for that notice; an unknown field is refused by name."""
from __future__ import annotations

import json
import shutil

from processes.notices import TEMPLATES

from docx import Document


def edited(tmp_path, kind: str, line: str):
    doc = Document(str(TEMPLATES / f"{kind}.docx"))
    doc.add_paragraph(line)
    path = tmp_path / f"{kind}.docx"
    doc.save(path)
    return path


def test_a_template_with_an_unknown_field_is_refused_by_name_and_a_good_one_replaces_ours(cli, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    before = (folder / "督办函.docx").read_bytes()
    bad = cli("template-upload", "督办函", str(edited(tmp_path, "督办函", "联系电话：{{ petitioner_phone }}")),
              "--dir", str(folder), ok=False)
    assert bad.exit_code == 2 and "petitioner_phone" in bad.stderr
    assert (folder / "督办函.docx").read_bytes() == before, "nothing changed"
    good = cli("template-upload", "督办函", str(edited(tmp_path, "督办函", "（第{{ sequence }}次）")),
               "--dir", str(folder))
    assert json.loads(good.stdout)["kind"] == "督办函" and (folder / "督办函.docx").read_bytes() != before


def test_an_unknown_kind_is_refused(cli, tmp_path):
    result = cli("template-upload", "通知书", str(TEMPLATES / "督办函.docx"), ok=False)
    assert result.exit_code == 2 and "通知书" in result.stderr
