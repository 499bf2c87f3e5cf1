"""交办督办 ledger, its drill-down and the monthly trend, on cases run through the shipped processes.

The story (2025, Asia/Shanghai; T0 = Monday 3 March 09:00):
  P1 交办 housing (lead) + city_agri (协办) at T0; agri gives its opinion on day 2, housing reports
     and the office replies on day 10: both parts closed on time.
  P2 交办 housing alone at T0; signed, never finished.
  P3 交办 city_police (lead) + housing (协办) at T0; housing gives its opinion on 8 May and police
     reports on 10 May, both after their deadline (6 May: 60 days end in the May Day holiday).
  P4 转送 district_gov at T0: not a 交办, never in the ledger.
  P5 交办 housing on 2 April: outside March.
Handle deadlines: signed 4 March → 60 days end 3 May, inside the 1–5 May holiday → 6 May 24:00.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from office.access import Actor
from engine.errors import NotAllowed, ValidationFailed
from office.dates import Month
from tests.support.databases import module_services
from tests.support.office import make_office, petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)
MARCH = Month.parse("2025-03").bounds()
DIRECTOR = Actor("boss", frozenset({"director"}))
HOUSING = Actor("housing_staff", frozenset({"unit_staff"}), unit="housing")


def _route(o, case: int, lead: str, *co: str, mode: str = "交办") -> None:
    o.triage(case, "申诉求决类")
    o.route_to_units(case, lead, *co, mode=mode)


def _finish(o, case: int, lead_user: str) -> None:
    o.do(case, "handle", lead_user, result="办结", report="已办结")
    o.do(case, "review_report", "director", quality="通过")
    o.do(case, "reply", "clerk", outcome="支持", reply_text="答复如下", resolution="已化解")


def _co_task(o, case: int, unit: str) -> dict:
    return next(t for t in o.s.tasks.list_tasks(case_id=case, per_page=50)["items"]
                if t["bpmn_id"] == "co_handle" and t["unit"] == unit)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def story(request, tmp_path_factory, sqlite_template):
    """Built once per database (the processes are slow to drive) and only read by the tests."""
    s = module_services(request, tmp_path_factory, sqlite_template)
    o = make_office(s)
    s.users.add_user("agri2", groups=["unit_staff"], password="demo-password-1", unit="city_agri")
    ids = {}
    with time_machine.travel(T0, tick=False) as clock:
        for name, subject in (("P1", "道路破损"), ("P2", "拆迁补偿"), ("P3", "噪音扰民"), ("P4", "公交线路")):
            ids[name] = o.register(petition(subject, name=f"张{name}"))
        _route(o, ids["P1"], "housing", "city_agri")
        _route(o, ids["P2"], "housing")
        _route(o, ids["P3"], "city_police", "housing")
        _route(o, ids["P4"], "district_gov", mode="转送")
        clock.shift(timedelta(days=1))
        for case, user in (("P1", "housing_staff"), ("P2", "housing_staff"), ("P3", "police_staff")):
            o.sign(ids[case], user)
        clock.shift(timedelta(days=1))
        s.tasks.complete_task(_co_task(o, ids["P1"], "city_agri")["id"], user="agri2", data={"co_opinion": "已核查"})
        clock.shift(timedelta(days=8))
        _finish(o, ids["P1"], "housing_staff")
        clock.move_to(datetime(2025, 4, 2, 2, tzinfo=timezone.utc))
        ids["P5"] = o.register(petition("物业纠纷", name="张P5"))
        _route(o, ids["P5"], "housing")
        clock.move_to(datetime(2025, 5, 8, 2, tzinfo=timezone.utc))
        s.tasks.complete_task(_co_task(o, ids["P3"], "housing")["id"], user="housing_staff", data={"co_opinion": "已核查"})
        clock.move_to(datetime(2025, 5, 10, 2, tzinfo=timezone.utc))
        _finish(o, ids["P3"], "police_staff")
    yield s, ids
    s.engine.dispose()


def ledger_at(s, when: datetime, actor=DIRECTOR) -> dict:
    with time_machine.travel(when, tick=False):
        return {r["unit"]: r for r in s.kpi.overdue_ledger(actor, *MARCH)}


def cells(row: dict) -> tuple:
    return row["assigned"], row["closed_on_time"], row["closed_late"], row["open_overdue"], row["open_in_time"]


def test_ledger_counts_each_units_part_by_its_own_deadline(story):
    s, _ = story
    june = ledger_at(s, datetime(2025, 6, 1, tzinfo=timezone.utc))
    assert list(june) == ["city_agri", "city_police", "housing", None]      # by unit, total last
    assert cells(june["city_agri"]) == (1, 1, 0, 0, 0)                       # P1 opinion on day 2
    assert cells(june["city_police"]) == (1, 0, 1, 0, 0)                     # P3 reported 10 May > 6 May
    assert cells(june["housing"]) == (3, 1, 1, 1, 0)                         # P1 on time, P3 (协办) late, P2 open
    assert cells(june[None]) == (5, 2, 2, 1, 0)                              # P4 转送 and P5 (April) left out


def test_open_items_are_in_time_until_their_deadline_passes(story):
    s, _ = story
    april = ledger_at(s, datetime(2025, 4, 1, tzinfo=timezone.utc))
    assert cells(april["housing"]) == (3, 1, 0, 0, 2)
    assert cells(april["city_police"]) == (1, 0, 0, 0, 1)
    last_day = ledger_at(s, datetime(2025, 5, 6, 15, 59, tzinfo=timezone.utc))   # due 6 May 24:00 local
    assert cells(last_day["housing"]) == (3, 1, 0, 0, 2)
    after = ledger_at(s, datetime(2025, 5, 6, 16, 1, tzinfo=timezone.utc))
    assert cells(after["housing"]) == (3, 1, 0, 2, 0)                        # P2 and P3's opinion overdue


def test_ledger_cells_list_exactly_the_cases_counted_with_petitioners_masked(story):
    s, ids = story
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=timezone.utc), tick=False):
        overdue = s.kpi.ledger_cases(DIRECTOR, "housing", "open_overdue", *MARCH)
        assigned = s.kpi.ledger_cases(DIRECTOR, None, "assigned", *MARCH, per_page=2, page=3)
        late = s.kpi.ledger_cases(DIRECTOR, "housing", "closed_late", *MARCH)
    assert [(i["case_id"], i["role"], i["state"]) for i in overdue["items"]] == [(ids["P2"], "主办", "overdue")]
    assert overdue["total"] == 1 and overdue["pages"] == 1
    assert overdue["items"][0]["petitioner"] == "张**"                        # 张P2, masked
    assert "id_number" not in overdue["items"][0] and "phone" not in overdue["items"][0]
    assert assigned["total"] == 5 and assigned["pages"] == 3 and len(assigned["items"]) == 1
    assert [(i["case_id"], i["role"], i["state"]) for i in late["items"]] == [(ids["P3"], "协办", "closed")]


def test_unit_staff_see_their_own_row_and_cases_only(story):
    s, ids = story
    mine = ledger_at(s, datetime(2025, 6, 1, tzinfo=timezone.utc), HOUSING)
    assert list(mine) == ["housing", None] and cells(mine[None]) == (3, 1, 1, 1, 0)
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=timezone.utc), tick=False):
        assert s.kpi.ledger_cases(HOUSING, None, "assigned", *MARCH)["total"] == 3
        with pytest.raises(NotAllowed):
            s.kpi.ledger_cases(HOUSING, "city_police", "assigned", *MARCH)


@pytest.mark.parametrize("unit, column, page, per_page", [
    ("no_such_unit", "assigned", 1, 50), ("housing", "overdue", 1, 50), ("housing", "assigned", 0, 50),
    ("housing", "assigned", 1, 500), ("housing", "assigned", "x", 50), (7, "assigned", 1, 50)])
def test_bad_ledger_questions_are_refused(story, unit, column, page, per_page):
    s, _ = story
    with pytest.raises(ValidationFailed):
        s.kpi.ledger_cases(DIRECTOR, unit, column, *MARCH, page=page, per_page=per_page)


def test_trend_gives_each_month_what_that_month_alone_gives(story):
    s, _ = story
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=timezone.utc), tick=False):
        trend = s.kpi.kpi_trend(DIRECTOR, "2025-02", "2025-05")
        months = {m: s.kpi.kpis_of_month(DIRECTOR, m)["figures"] for m in ("2025-02", "2025-03", "2025-04", "2025-05")}
    assert [t["month"] for t in trend[::len(months["2025-03"])]] == list(months)
    for item in trend:
        expected = next(f for f in months[item["month"]] if f["key"] == item["key"])
        assert {k: item[k] for k in expected} == expected
    march = {t["key"]: t for t in trend if t["month"] == "2025-03"}
    assert (march["repeat_rate"]["numerator"], march["repeat_rate"]["denominator"]) == (0, 4)   # P1–P4
    may = {t["key"]: t for t in trend if t["month"] == "2025-05"}
    # P1 replied on time (due 6 May), P2 and P3 past due: P3 replied late, P2 still open
    assert (may["on_time_closure"]["numerator"], may["on_time_closure"]["denominator"]) == (1, 3)
    assert march["on_time_closure"]["label"] == "按期办结率" and march["on_time_closure"]["group"] == ""
    assert set(trend[0]) >= {"month", "key", "label", "group", "numerator", "denominator", "rate",
                             "persons_numerator", "persons_denominator"}


def test_co_handling_units_are_credited_with_their_own_part_of_on_time_closure(story):
    """May (all handle deadlines are 6 May): the office counts each case once; per unit, the lead
    answers for its case and a co-handling unit for its opinion."""
    s, ids = story
    may = Month.parse("2025-05").bounds()
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=timezone.utc), tick=False):
        office = {r["key"]: r for r in s.kpi.kpis(DIRECTOR, *may)}
        units = {r["group"]: r for r in s.kpi.kpis(DIRECTOR, *may, by="unit") if r["key"] == "on_time_closure"}
        mine = {r["key"]: r for r in s.kpi.kpis(HOUSING, *may)}
        missed = s.kpi.kpi_cases(DIRECTOR, "on_time_closure", *may, part="missed", by="unit", group="housing")
        own_missed = s.kpi.kpi_cases(HOUSING, "on_time_closure", *may, part="missed")
    assert (office["on_time_closure"]["numerator"], office["on_time_closure"]["denominator"]) == (1, 3)
    assert {u: (r["numerator"], r["denominator"]) for u, r in units.items()} == {
        "city_agri": (1, 1),        # P1 opinion on 5 March
        "city_police": (0, 1),      # P3 replied 10 May
        "housing": (1, 3)}          # P1 replied 13 March; P2 open past due; P3 opinion on 8 May
    assert (mine["on_time_closure"]["numerator"], mine["on_time_closure"]["denominator"]) == (1, 3)
    assert [(r["case_id"], r["role"]) for r in missed] == [(ids["P2"], "主办"), (ids["P3"], "协办")]
    assert own_missed == missed
    # only the lead is credited with acceptance: P5 (registered 2 April, housing) unsigned by 2 May
    timely = mine["unit_timely_acceptance"]
    assert (timely["numerator"], timely["denominator"]) == (0, 1)


@pytest.mark.parametrize("first, last", [("2025-05", "2025-02"), ("2025-13", "2025-14"), ("2015-01", "2025-12"),
                                         ("2025", "2025-02")])
def test_bad_trend_ranges_are_refused(story, first, last):
    s, _ = story
    with pytest.raises(ValidationFailed):
        s.kpi.kpi_trend(DIRECTOR, first, last)


def test_trend_by_unit_and_for_a_unit_gives_each_month_what_that_month_alone_gives(story):
    """The trend reads the table once for all months; per unit it includes the co-handling parts."""
    s, _ = story
    names = ("2025-02", "2025-03", "2025-04", "2025-05")
    with time_machine.travel(datetime(2025, 6, 1, tzinfo=timezone.utc), tick=False):
        for user, by in ((DIRECTOR, "unit"), (HOUSING, None)):
            trend = s.kpi.kpi_trend(user, names[0], names[-1], by=by)
            for name in names:
                alone = s.kpi.kpis(user, *Month.parse(name).bounds(), by=by)
                assert [{k: v for k, v in t.items() if k != "month"} for t in trend if t["month"] == name] == alone
    assert any(t["key"] == "on_time_closure" and t["group"] == "city_agri" for t in
               s.kpi.kpi_trend(DIRECTOR, "2025-05", "2025-05", by="unit"))
