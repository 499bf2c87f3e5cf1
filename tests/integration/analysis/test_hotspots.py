"""Hot spots on a small fixed office; topics, counts and examples worked out by hand below."""
from __future__ import annotations

import pytest
import time_machine

from office.analysis import hotspots
from engine.errors import NotAllowed, ValidationFailed

from tests.support.analysis_data import CLERK, DIRECTOR, NOW, U1_STAFF, make_office, registered

# October. Keywords (jieba TF-IDF, top 3): A 扰民 噪音 施工; B 住宅楼 扰民 娱乐场所; C 扰民 噪音 广场;
# D 农民工工资 拖欠 企业; E 物业公司 拖欠 保安; F 确权 宅基地 争议; G1/G2 养老院 不合理 收费.
# Shared in October: 扰民 3, 拖欠 2, 噪音 2, 养老院 2 ... so A B C -> 扰民, D E -> 拖欠, F -> 确权.
CASES = {
    "A": dict(subject="夜间施工噪音扰民", region="R1", organ="政府及其部门", unit="U1", persons=1, **registered("03")),
    "B": dict(subject="住宅楼内开设娱乐场所噪声扰民", region="R2", organ="政府及其部门", unit="U1", persons=6,
              **registered("05")),
    "C": dict(subject="广场舞噪音扰民", region="R1", unit="U1", persons=2, **registered("07")),
    "D": dict(subject="企业拖欠农民工工资", region="R2", unit="U2", persons=1, **registered("09")),
    "E": dict(subject="物业公司拖欠保安工资", region="R2", unit="U2", persons=3, **registered("11")),
    "F": dict(subject="宅基地确权争议", region="R3", unit="U2", persons=1, **registered("13")),
    "G1": dict(subject="养老院收费不合理", region="R3", unit="U2", persons=1, **registered("15")),
    "G2": dict(subject="养老院收费不合理", region="R3", unit="U2", persons=1, **registered("16")),
    # a report against U1 itself: never shown to U1's staff (Art. 30)
    "X": dict(subject="举报村干部收受财物扰民", region="R1", unit="U1", accused_unit="U1", persons=1,
              category="检举控告类", **registered("20")),
    # September: one noise case, two wage cases, one land case
    "S1": dict(subject="夜间施工噪音扰民", region="R1", unit="U1", **registered("10", 9)),
    "S2": dict(subject="企业拖欠农民工工资", region="R2", unit="U2", **registered("11", 9)),
    "S3": dict(subject="物业公司拖欠保安工资", region="R1", unit="U2", **registered("12", 9)),
    "S4": dict(subject="宅基地确权争议", region="R3", unit="U2", **registered("13", 9)),
}


@pytest.fixture
def office(services):
    services.ids = make_office(services, CASES)
    return services


def analysis(services, actor=DIRECTOR, **options):
    with time_machine.travel(NOW, tick=False):
        return services.analysis.hotspot_analysis(actor, "2026-10", **options)


def test_cases_about_one_matter_form_one_topic_whatever_their_wording(office):
    found = analysis(office)
    rows = {r["topic"]: r for r in found["topics"]}
    assert found["cases"] == 9
    # X (举报…扰民) joins 扰民 too for the director: 4 cases, 1 + 6 + 2 + 1 persons
    assert (rows["扰民"]["count"], rows["扰民"]["persons"]) == (4, 10)
    assert rows["扰民"]["related"][0] == "噪音"
    assert rows["扰民"]["regions"] == {"R1": 3, "R2": 1}
    assert (rows["拖欠"]["count"], rows["拖欠"]["persons"]) == (2, 4)
    assert rows["养老院"]["count"] == 2 and rows["确权"]["count"] == 1
    assert [r["topic"] for r in found["topics"]][:3] == ["扰民", "拖欠", "养老院"]


def test_topics_grouped_by_region_count_each_region_separately(office):
    rows = {(r["group"], r["topic"]): r["count"] for r in analysis(office, by="region")["topics"]}
    assert rows[("R1", "扰民")] == 3 and rows[("R2", "扰民")] == 1
    assert rows[("R2", "拖欠")] == 2 and rows[("R3", "养老院")] == 2


def test_a_region_filter_keeps_only_that_regions_cases(office):
    found = analysis(office, region="R3")
    assert found["cases"] == 3
    assert {r["topic"]: r["count"] for r in found["topics"]} == {"养老院": 2, "确权": 1}


def test_rising_topics_compare_the_month_with_the_one_before(office):
    rising = analysis(office)["rising"]
    # 扰民 1 -> 4 (+3, +300 %); 养老院 0 -> 2 (new); 拖欠 2 -> 2 and 确权 1 -> 1 are not rising
    assert [(r["topic"], r["previous"], r["count"], r["growth"], r["growth_rate"]) for r in rising] == [
        ("扰民", 1, 4, 3, 300.0), ("养老院", 0, 2, 2, None)]


def test_supervision_suggestions_rank_shared_topics_with_example_cases(office):
    suggestions = analysis(office)["suggestions"]
    assert [(s["rank"], s["topic"], s["count"]) for s in suggestions] == [(1, "扰民", 4), (2, "拖欠", 2), (3, "养老院", 2)]
    noise = suggestions[0]
    # examples: most persons first (B 6, C 2), then the earliest of the rest (A, 3 Oct)
    assert [e["reg_no"] for e in noise["examples"]] == ["REG-B", "REG-C", "REG-A"]
    assert noise["examples"][0]["subject"] == "住宅楼内开设娱乐场所噪声扰民"
    assert noise["units"] == {"U1": 4} and noise["organs"] == {"": 2, "政府及其部门": 2}


def test_unit_staff_see_their_own_units_topics_but_never_reports_against_them(office):
    found = analysis(office, actor=U1_STAFF)
    assert found["cases"] == 3                                 # A B C; not X, not U2's
    assert [(r["topic"], r["count"]) for r in found["topics"]] == [("扰民", 3)]
    assert all(e["reg_no"] != "REG-X" for s in found["suggestions"] for e in s["examples"])


def test_staff_outside_the_leadership_and_units_are_refused(office):
    with pytest.raises(NotAllowed):
        analysis(office, actor=CLERK)


@pytest.mark.parametrize("options", [dict(by="channel"), dict(months=0), dict(months=25), dict(limit="x")])
def test_bad_options_are_refused_clearly(sqlite_services, options):
    with pytest.raises(ValidationFailed):
        analysis(sqlite_services, **options)


def test_a_bad_month_is_refused(sqlite_services):
    with pytest.raises(ValidationFailed):
        sqlite_services.analysis.hotspot_analysis(DIRECTOR, "2026-13")


def test_two_months_together_merge_the_same_matters(office):
    found = analysis(office, months=2)
    rows = {r["topic"]: r["count"] for r in found["topics"]}
    assert found["first_month"] == "2026-09"
    assert rows["扰民"] == 5 and rows["拖欠"] == 4 and rows["确权"] == 2


def test_keywords_leave_out_the_words_every_petition_says():
    assert hotspots.keywords("举报住建局干部收受开发商财物")[0] == "住建局"
    assert "要求" not in hotspots.keywords("要求解决拖欠工资问题")
    assert hotspots.keywords("") == ()
