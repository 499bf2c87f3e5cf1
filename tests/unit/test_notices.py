"""Every notice template renders its fields (the committed .docx files, not only the script),
and a notice lacking a fact it must state is refused by name, not printed with a blank."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from docx import Document as Docx
from docxtpl import DocxTemplate

from processes.notice_kinds import BY_KIND, unknown_fields
from processes.notices import (KINDS, TEMPLATES, TO_DEPUTY, TO_UNIT, NoticeIncomplete, check, context, deadline_day,
                               deadline_state)

UNITS = {"district_gov": "区人民政府", "housing": "区住房和城乡建设局"}
DATA = {"subject": "拖欠工资", "content": "某公司拖欠工资三个月", "extension_reason": "案情复杂需要进一步调查",
        "competent_organ": "区人力资源和社会保障局", "outcome": "支持", "opinion": "责成该公司补发工资",
        "decision": "维持", "deputy": "王建华", "mode": "交办", "lead_unit": "district_gov", "gate_reason": "已进入诉讼程序",
        "milestones": {"registered": "2026-11-23T02:00:00+00:00"},
        "deadlines": {"handle": "2027-01-22T16:00:00+00:00", "route": "2026-12-08T16:00:00+00:00"}}
NOW = datetime(2027, 1, 25, 2, tzinfo=timezone.utc)


def fields(kind: str, data: dict) -> dict:
    return context(kind, data, reg_no="RD-2026-00042", today=date(2026, 11, 23), names=["张三丰"],
                   office="某市人大常委会信访办公室", unit_name=lambda c: UNITS.get(c or "", ""),
                   query_code="K7Q2M9XW", sequence=2, now=NOW)


def render(kind: str, data: dict) -> str:
    values = fields(kind, data)
    check(kind, values)
    template = DocxTemplate(str(TEMPLATES / f"{kind}.docx"))
    template.render(values, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return "\n".join(p.text for p in Docx(io.BytesIO(out.getvalue())).paragraphs)


@pytest.mark.parametrize("kind", KINDS)
def test_each_notice_names_the_case_its_addressee_and_the_date_in_chinese(kind):
    text = render(kind, DATA)
    assert "RD-2026-00042" in text and "拖欠工资" in text and "2026年11月23日" in text
    assert "{{" not in text and "{%" not in text, "no field left unfilled"
    assert ("区人民政府：" if kind in TO_UNIT else "王建华代表：" if kind in TO_DEPUTY else "张三丰：") in text


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_uses_only_the_fields_documented_for_it(kind):
    used = DocxTemplate(str(TEMPLATES / f"{kind}.docx")).get_undeclared_template_variables()
    assert not unknown_fields(kind, used)


def test_a_template_field_not_provided_for_the_kind_is_named():
    assert unknown_fields("督办函", {"reg_no", "petitioner_phone"}) == ["petitioner_phone"]


@pytest.mark.parametrize("kind", ["交办函", "延期告知书"])
def test_notices_about_the_time_limit_name_the_last_day(kind):
    assert "2027年1月22日" in render(kind, DATA)


def test_the_supervision_letter_states_the_deadline_as_it_stands_that_day():
    assert deadline_state("2027-01-22T16:00:00+00:00", NOW) == "已于2027年1月22日届满"
    assert deadline_state("2027-01-22T16:00:00+00:00", datetime(2027, 1, 20, tzinfo=timezone.utc)) == "将于2027年1月22日届满"
    assert "第2次督办" in render("督办函", DATA)
    # a caller that still passes the last day as printed ("2026年12月2日") gets the same wording
    assert deadline_state("2026年12月2日", datetime(2026, 11, 20, 2, tzinfo=timezone.utc)) == "将于2026年12月2日届满"
    assert deadline_state(date(2026, 12, 2), datetime(2026, 12, 3, 2, tzinfo=timezone.utc)) == "已于2026年12月2日届满"


def test_co_handling_units_are_named_in_their_roles():
    assert fields("交办函", {**DATA, "co_units": ["housing"]})["addressee"] == "区人民政府（主办）、区住房和城乡建设局（协办）"


def test_a_unit_unknown_to_the_directory_refuses_the_letter_rather_than_printing_its_code():
    with pytest.raises(NoticeIncomplete) as err:
        check("交办函", fields("交办函", {**DATA, "co_units": ["no_such_unit"]}))
    assert "addressee" in err.value.missing


def test_a_refusal_without_a_reason_is_refused_by_name():
    with pytest.raises(NoticeIncomplete) as err:
        check("不予受理告知书", fields("不予受理告知书", {**DATA, "gate_reason": None}))
    assert err.value.missing == ["reason", "basis", "channel"] and "理由" in str(err.value)


def test_the_extension_notice_gives_the_extensions_own_reason_and_the_organ_signs():
    values = fields("延期告知书", {**DATA, "reason": "不属本单位职责"})
    assert values["reason"] == "案情复杂需要进一步调查" and values["signer"] == "区人民政府"


def test_every_kind_has_issuer_addressee_facts_and_basis():
    for kind in KINDS:
        info = BY_KIND[kind]
        assert info.issuer and info.addressee and info.facts and info.basis
        assert info.basis.startswith("第") or kind in TO_DEPUTY, "a statutory notice cites its article"


def test_the_deadline_named_is_the_last_day_not_the_midnight_after_it():
    assert deadline_day("2027-01-22T16:00:00+00:00") == "2027年1月22日"


def test_markup_in_case_data_stays_text():
    text = render("受理告知书", {**DATA, "subject": "<w:p>注入</w:p> & 其他"})
    assert "<w:p>注入</w:p> & 其他" in text


def test_an_acceptance_notice_routed_to_no_known_organ_is_refused_and_one_not_yet_routed_promises_nothing_it_cannot_keep():
    with pytest.raises(NoticeIncomplete) as err:
        check("受理告知书", fields("受理告知书", {**DATA, "lead_unit": "no_such_unit"}))
    assert err.value.missing == ["handling_organ"]
    text = render("受理告知书", {**DATA, "mode": "", "lead_unit": None})     # diagrams deployed before routing came first
    assert "六十日内办结" not in text and "依法转送或者交办有权处理的机关办理" in text


def test_the_manual_prints_the_table_the_code_uses():
    from processes.notice_kinds import markdown_rows
    from tests.support.paths import ROOT
    manual = (ROOT / "docs" / "notices.md").read_text(encoding="utf-8")
    assert all(row in manual for row in markdown_rows())
