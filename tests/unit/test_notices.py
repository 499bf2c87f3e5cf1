"""Every notice template renders its fields (the committed .docx files, not only the script)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document as Docx
from docxtpl import DocxTemplate

from processes.notices import KINDS, TEMPLATES, TO_DEPUTY, TO_UNIT, context, deadline_day

DATA = {"subject": "拖欠工资", "content": "某公司拖欠工资三个月", "reason": "案情复杂需要进一步调查",
        "competent_organ": "区人力资源和社会保障局", "outcome": "支持", "opinion": "责成该公司补发工资",
        "supervision_count": 1, "deputy": "王建华", "milestones": {"registered": "2026-11-23T02:00:00+00:00"},
        "deadlines": {"handle": "2027-01-22T16:00:00+00:00"}}


def render(kind: str, data: dict) -> str:
    fields = context(kind, data, reg_no="RD-2026-00042", today=date(2026, 11, 23), names=["张三丰"],
                     office="某市人大常委会信访办公室", unit_name="区人民政府")
    template = DocxTemplate(str(TEMPLATES / f"{kind}.docx"))
    template.render(fields, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return "\n".join(p.text for p in Docx(io.BytesIO(out.getvalue())).paragraphs)


@pytest.mark.parametrize("kind", KINDS)
def test_each_notice_names_the_case_its_addressee_and_the_date_in_chinese(kind):
    text = render(kind, DATA)
    assert "RD-2026-00042" in text and "拖欠工资" in text and "2026年11月23日" in text
    assert "{{" not in text and "}}" not in text, "no field left unfilled"
    addressee = "区人民政府：" if kind in TO_UNIT else "王建华代表：" if kind in TO_DEPUTY else "张三丰："
    assert addressee in text


@pytest.mark.parametrize("kind", ["交办函", "延期告知书", "督办函"])
def test_notices_about_the_time_limit_name_the_last_day(kind):
    assert "2027年1月22日" in render(kind, DATA)


def test_the_deadline_named_is_the_last_day_not_the_midnight_after_it():
    assert deadline_day("2027-01-22T16:00:00+00:00") == "2027年1月22日"


def test_markup_in_case_data_stays_text():
    text = render("受理告知书", {**DATA, "subject": "<w:p>注入</w:p> & 其他"})
    assert "<w:p>注入</w:p> & 其他" in text
