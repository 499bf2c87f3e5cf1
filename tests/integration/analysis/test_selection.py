"""The monthly 代表恳谈会 selection on a small fixed office; points worked out by hand below."""
from __future__ import annotations

import pytest
import time_machine

from engine.errors import NotAllowed, ValidationFailed

from tests.support.analysis_data import ANALYST, DIRECTOR, NOW, U1_STAFF, make_office, registered

# Points: 集体访 (≥5 persons) 3, 重复信访 3, 包案 2, 积案 2, 热点 2 (the month's biggest topics with
# more than one case: 扰民 A B C, 拖欠 D E), 超期 2 (+1 past 30 days), 不满意 1.
#   B 集体访 + 热点 = 5 (6 persons)     E 重件 + 热点 = 5 (3 persons)     D 包案 + 热点 = 4
#   O (September, handle due 20 Sep, still open on 31 Oct: 41 days) 超期 + 30天以上 = 3
#   C 热点 = 2 (2 persons)   A 热点 = 2 (1 person)   F 不满意 = 1   H nothing: not a candidate
#   X (检举控告, 10 persons) is never put before the deputies.
CASES = {
    "A": dict(subject="夜间施工噪音扰民", unit="U1", persons=1, **registered("03")),
    "B": dict(subject="住宅楼内开设娱乐场所噪声扰民", unit="U1", persons=6, **registered("05")),
    "C": dict(subject="广场舞噪音扰民", unit="U1", persons=2, **registered("07")),
    "D": dict(subject="企业拖欠农民工工资", unit="U2", key_case=True, **registered("09")),
    "F": dict(subject="宅基地确权争议", unit="U2", rating="不满意", **registered("13")),
    "H": dict(subject="咨询公积金提取政策", unit="U2", **registered("14")),
    "X": dict(subject="举报村干部侵占集体资金", unit="U3", accused_unit="U9", category="检举控告类", persons=10,
              **registered("15")),
    "S": dict(subject="物业公司拖欠保安工资", unit="U2", **registered("12", 9)),
    "O": dict(subject="低保资格被取消", unit="U2", deadlines={"handle": "2026-09-20T16:00:00Z"}, **registered("01", 9)),
}
REPEATS = {"E": ("S", dict(subject="物业公司拖欠保安工资", unit="U2", persons=3, **registered("11")))}


@pytest.fixture
def office(services):
    services.ids = make_office(services, CASES, REPEATS)
    return services


def picks(services, actor=DIRECTOR, month="2026-10", limit=10):
    with time_machine.travel(NOW, tick=False):
        return services.analysis.meeting_selection(actor, month, limit=limit)["cases"]


def test_the_months_cases_are_ranked_by_points_with_their_reasons(office):
    chosen = picks(office)
    assert [(p["rank"], p["reg_no"], p["score"]) for p in chosen] == [
        (1, "REG-B", 5), (2, "REG-E", 5), (3, "REG-D", 4), (4, "REG-O", 3), (5, "REG-C", 2), (6, "REG-A", 2),
        (7, "REG-F", 1)]
    reasons = {p["reg_no"]: p["reasons"] for p in chosen}
    assert reasons["REG-B"] == ["集体访（6人）", "热点：扰民（本月3件）"]
    assert reasons["REG-E"] == ["重复信访（重件）", "热点：拖欠（本月2件）"]
    assert reasons["REG-D"] == ["领导包案", "热点：拖欠（本月2件）"]
    assert reasons["REG-O"] == ["超期未办结41天", "超期30天以上"]
    assert reasons["REG-F"] == ["信访人不满意"]


def test_a_short_list_takes_one_case_per_topic_first(office):
    # B (扰民), E (拖欠), then D and C repeat a topic already chosen: O (低保) and F (确权) go in
    assert [p["reg_no"] for p in picks(office, limit=4)] == ["REG-B", "REG-E", "REG-O", "REG-F"]


def test_accusations_are_never_selected(office):
    assert "REG-X" not in {p["reg_no"] for p in picks(office)}


def test_the_selection_is_the_same_every_time(office):
    assert picks(office) == picks(office)


def test_a_case_with_petitions_coming_back_says_how_often(office):
    chosen = {p["reg_no"]: p for p in picks(office, month="2026-09")}
    # in September S and O are new; by 30 September nothing has come back on S yet
    assert "REG-S" not in chosen
    with time_machine.travel(NOW, tick=False):
        office.cases.start_case("complaint_simple", {"reg_no": "REG-S2", "subject": "物业公司拖欠保安工资",
                                               "is_repeat": True, "main_case_id": office.ids["S"],
                                               **registered("20", 9)}, user="clerk1")
    chosen = {p["reg_no"]: p for p in picks(office, month="2026-09")}
    assert chosen["REG-S"]["reasons"][0] == "重复信访（已重复1次）"


def test_analysts_may_select_and_unit_staff_may_not(office):
    assert picks(office, actor=ANALYST)
    with pytest.raises(NotAllowed):
        picks(office, actor=U1_STAFF)


@pytest.mark.parametrize("limit", [0, 51, "many"])
def test_the_list_length_is_checked(sqlite_services, limit):
    with pytest.raises(ValidationFailed):
        picks(sqlite_services, limit=limit)
