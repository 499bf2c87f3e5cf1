"""Pure routing rules: category hints, repeat verdicts, the accused-unit wall, registration numbers."""
from __future__ import annotations

import pytest

from handlers.intake import registration_number
from processes.routing import check_not_accused, judge_repeat, suggest_category, suggest_route


def earlier(case_id, subject, **facts):
    return {"case_id": case_id, "subject": subject, "content_class": "城乡建设", "status": "complete",
            "concluded": False, "review_stage": None, "main_case_id": None, "parallel_group": None, **facts}


@pytest.mark.parametrize("subject, purpose, expected", [
    ("举报镇干部收受贿赂", "其他", "检举控告类"),
    ("不服法院一审判决", "申诉", "涉法涉诉"),
    ("建议修改物业管理条例", "意见建议", "建议意见类"),
    ("拆迁补偿款未到位", "求决", "申诉求决类"),
    ("一件没有关键词的事", "意见建议", "建议意见类"),
])
def test_category_hint(subject, purpose, expected):
    assert suggest_category(subject, "", purpose) == expected


def test_same_matter_from_the_same_petitioner_is_a_repeat_linked_to_the_first():
    verdict = judge_repeat({"subject": "小区违建阳光房影响采光问题", "content_class": "城乡建设"},
                           [earlier(3, "小区违建阳光房影响采光"), earlier(5, "小区违建阳光房采光", main_case_id=3)])
    assert verdict.is_repeat and verdict.main_case_id == 3 and not verdict.bar_applies


def test_multi_addressed_and_merged_items_are_not_repeats():
    current = {"subject": "小区违建阳光房影响采光", "content_class": "城乡建设"}
    assert not judge_repeat({**current, "multi_addressed": True}, [earlier(3, current["subject"])]).is_repeat
    merged = {**current, "parallel_group": "G1"}
    assert not judge_repeat(merged, [earlier(3, current["subject"], parallel_group="G1")]).is_repeat


def test_a_different_matter_is_a_first_item():
    assert not judge_repeat({"subject": "孩子入学学位", "content_class": "教育"}, [earlier(3, "小区违建")]).is_repeat


def test_after_a_concluded_recheck_the_same_facts_are_barred():
    verdict = judge_repeat({"subject": "征地补偿标准过低"},
                           [earlier(3, "征地补偿标准过低", concluded=True, review_stage="复核")])
    assert verdict.bar_applies
    assert suggest_route("申诉求决类", bar_applies=True, pending_elsewhere=False) == "不再受理"
    assert suggest_route("申诉求决类", bar_applies=False, pending_elsewhere=True) == "不予受理"


def test_reports_never_go_to_the_accused_unit():
    with pytest.raises(ValueError):
        check_not_accused(["discipline", "housing"], "housing")
    check_not_accused(["discipline"], "housing")


def test_registration_number_follows_the_national_pattern():
    assert registration_number("来访", "130000", "20151130", 320) == "LF130000201511300320"
    assert registration_number("网信", None, "20250303", 7) == "WX000000202503030007"
