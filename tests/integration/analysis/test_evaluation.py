"""The 评 evaluation of courts and procuratorates; scores worked out by hand below."""
from __future__ import annotations

import pytest
import time_machine

from engine.errors import NotAllowed, ValidationFailed
from office.analysis.evaluation import period_bounds

from tests.support.analysis_data import ADVISOR, DIRECTOR, NOW, U1_STAFF, make_office, registered

COURT, PROC, MID = "某区人民法院", "某区人民检察院", "某市中级人民法院"
CASES = {
    "L1": dict(subject="不服一审判决", organ=COURT, outcome="支持", rating="满意", in_stats=False, **registered("03")),
    "L2": dict(subject="法院判决后对方拒不执行", organ=COURT, outcome="不予支持", rating="不满意", **registered("04")),
    "L3": dict(subject="执行案件终结", organ=COURT, **registered("05")),
    "L4": dict(subject="对检察院不起诉决定不服", organ=PROC, outcome="解释说明", rating="基本满意", **registered("06")),
    "L5": dict(subject="低保资格被取消", organ="政府及其部门", rating="满意", **registered("07")),
    "L6": dict(subject="不服二审判决", organ=COURT, rating="满意", **registered("02", 11)),
}
RATES = (f"organ,period,appeal_rate,reversal_rate,cases\n{COURT},2026-10,20,5,100\n{PROC},2026-10,10,2,\n"
         f"{MID},2026-10,30,10,200\n{COURT},2026-09,50,50,10\n").encode()


@pytest.fixture
def office(services):
    services.ids = make_office(services, CASES)
    return services


def evaluate(services, actor=DIRECTOR, period="2026-10"):
    with time_machine.travel(NOW, tick=False):
        return {r["organ"]: r for r in services.analysis.organ_evaluation(actor, period)["organs"]}


def test_organs_are_scored_from_petitions_satisfaction_and_imported_rates(office):
    assert office.analysis.import_organ_rates(DIRECTOR, RATES) == {"imported": 4, "periods": ["2026-09", "2026-10"]}
    rows = evaluate(office)
    assert set(rows) == {COURT, PROC, MID}                      # 政府及其部门 is not evaluated
    court = rows[COURT]
    # L1 L2 L3 (L1 outside the statistics still counts; L6 is November's); rated L1 满意, L2 不满意
    assert (court["petitions"], court["outcomes"], court["satisfaction"]) == (3, {"不予支持": 1, "支持": 1, "未办结": 1}, 50.0)
    # 信访率 3 per 100 concluded cases -> 97; 满意 50; 上诉 20 -> 80; 改判 5 -> 95; mean 80.5
    assert (court["petition_rate"], court["components"], court["score"]) == (
        3.0, {"petition_rate": 97.0, "satisfaction": 50.0, "appeal_rate": 80.0, "reversal_rate": 95.0}, 80.5)
    # no caseload given: mean of satisfaction 100, appeal 90, reversal 98 = 96
    assert (rows[PROC]["score"], rows[PROC]["complete"]) == (96.0, False)
    # no petitions at all: 信访率 0 -> 100, appeal 70, reversal 90, no rating: 86.67
    assert (rows[MID]["petitions"], rows[MID]["satisfaction"], rows[MID]["score"]) == (0, None, 86.67)
    assert [(r["organ"], r["rank"]) for r in sorted(rows.values(), key=lambda r: r["rank"])] == [
        (PROC, 1), (MID, 2), (COURT, 3)]


def test_new_weights_change_the_ranking(office):
    office.analysis.import_organ_rates(DIRECTOR, RATES)
    weights = {"petition_rate": 0, "satisfaction": 1, "appeal_rate": 0, "reversal_rate": 0}
    assert office.analysis.set_evaluation_weights(DIRECTOR, weights) == weights
    rows = evaluate(office)
    assert (rows[PROC]["score"], rows[PROC]["rank"]) == (100.0, 1)
    assert (rows[COURT]["score"], rows[COURT]["rank"]) == (50.0, 2)
    assert (rows[MID]["score"], rows[MID]["rank"]) == (None, None)       # nothing to score it on
    assert office.analysis.evaluation_weights(DIRECTOR) == weights


def test_a_half_year_counts_every_month_in_it(office):
    rows = evaluate(office, period="2026-H2")
    assert rows[COURT]["petitions"] == 4 and rows[COURT]["appeal_rate"] is None
    assert period_bounds("2026-H2")[0].isoformat() == "2026-06-30T16:00:00+00:00"


BAD = (f"organ,period,appeal_rate,reversal_rate\n{COURT},2026-10,20,5\n,2026-10,1,1\n{PROC},2026-13,1,1\n"
       f"{COURT},2026-11,120,abc\n{MID},2026-10,1,1\n{MID},2026-10,2,2\n").encode()


def test_a_bad_csv_is_rejected_whole_with_the_number_of_each_bad_line(office):
    office.analysis.import_organ_rates(DIRECTOR, RATES)
    with pytest.raises(ValidationFailed) as err:
        office.analysis.import_organ_rates(DIRECTOR, BAD)
    assert [e["line"] for e in err.value.details] == [3, 4, 5, 7]
    assert "第 3 行" in err.value.message and "第 7 行" in err.value.message
    assert "上诉率" in err.value.details[2]["message"]
    assert "重复" in err.value.details[3]["message"]
    rows = evaluate(office)
    assert rows[COURT]["appeal_rate"] == 20.0 and rows[MID]["appeal_rate"] == 30.0    # nothing changed


def test_a_case_sent_to_a_court_unit_counts_under_that_courts_name(services):
    services.users.add_unit("district_court", "区人民法院", "court")
    services.users.add_unit("district_gov", "区人民政府")
    make_office(services, {"K1": dict(subject="判决执行难", unit="district_court", rating="满意", **registered("03")),
                           "K2": dict(subject="判决不公", unit="district_court", organ="人民法院", **registered("04")),
                           "K3": dict(subject="拆迁补偿", unit="district_gov", **registered("05"))})
    # the CSV may name the court by its unit code
    services.analysis.import_organ_rates(DIRECTOR, b"organ,period,appeal_rate,reversal_rate\ndistrict_court,2026-10,10,10\n")
    rows = evaluate(services)
    assert list(rows) == ["区人民法院"]
    assert (rows["区人民法院"]["petitions"], rows["区人民法院"]["satisfaction"]) == (2, 100.0)
    assert rows["区人民法院"]["score"] == 93.33                           # (100 + 90 + 90) / 3


@pytest.mark.parametrize("content", [b"organ,period,appeal\nx,2026,1\n", b"organ,period,appeal_rate,reversal_rate\n",
                                     b"organ,period,appeal_rate,reversal_rate,judge\nx,2026,1,1,y\n",
                                     b"\xff\xfe\x00garbage\x81"])
def test_files_of_the_wrong_shape_are_refused(sqlite_services, content):
    with pytest.raises(ValidationFailed):
        sqlite_services.analysis.import_organ_rates(DIRECTOR, content)


def test_a_csv_saved_by_excel_in_gbk_imports(office):
    content = f"organ,period,appeal_rate,reversal_rate\n{COURT},2026,12.5%,3\n".encode("gbk")
    assert office.analysis.import_organ_rates(ADVISOR, content)["imported"] == 1
    assert evaluate(office, period="2026")[COURT]["appeal_rate"] == 12.5


@pytest.mark.parametrize("weights", [
    {"petition_rate": 0.5, "satisfaction": 0.5, "appeal_rate": 0.5, "reversal_rate": 0},      # sums to 1.5
    {"petition_rate": -0.5, "satisfaction": 1, "appeal_rate": 0.5, "reversal_rate": 0},        # negative
    {"petition_rate": 1},                                                                      # missing
    {"petition_rate": "x", "satisfaction": 1, "appeal_rate": 0, "reversal_rate": 0},
    {"petition_rate": float("nan"), "satisfaction": 1, "appeal_rate": 0, "reversal_rate": 0}, "weights"])
def test_bad_weights_are_refused_and_change_nothing(sqlite_services, weights):
    with pytest.raises(ValidationFailed):
        sqlite_services.analysis.set_evaluation_weights(DIRECTOR, weights)
    assert sqlite_services.analysis.evaluation_weights(DIRECTOR) == {k: 0.25 for k in
                                                   ("petition_rate", "satisfaction", "appeal_rate", "reversal_rate")}


def test_unit_staff_can_neither_see_nor_change_the_evaluation(office):
    with pytest.raises(NotAllowed):
        evaluate(office, actor=U1_STAFF)
    with pytest.raises(NotAllowed):
        office.analysis.import_organ_rates(U1_STAFF, RATES)
    with pytest.raises(NotAllowed):
        office.analysis.set_evaluation_weights(U1_STAFF, {"petition_rate": 1, "satisfaction": 0, "appeal_rate": 0,
                                                 "reversal_rate": 0})


@pytest.mark.parametrize("period", ["2026-13", "26", "2026-H3", "2026-Q5", None])
def test_a_bad_period_is_refused(sqlite_services, period):
    with pytest.raises(ValidationFailed):
        sqlite_services.analysis.organ_evaluation(DIRECTOR, period)
