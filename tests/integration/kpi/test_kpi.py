"""KPIs on the small fixed dataset of tests/support/kpi_dataset.py, compared with values computed by
hand (see the comments there and here)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from office.access import Actor
from engine.errors import NotAllowed, ValidationFailed
from office.dates import Month
from tests.support.kpi_dataset import DIRECTOR, figures, nd, z

def test_october_figures_match_the_hand_computed_values(office):
    f = figures(office)
    assert nd(f["timely_acceptance", ""]) == (2, 4, 50.0)            # A, D in time; B late; C never accepted
    assert f["timely_acceptance", ""]["classes"] == {"及时": 2, "超期受理": 1, "超期未受理": 1, "未到期": 0}
    # 人次: A 3 + D 1 in time; A 3 + B 1 + C 5 + D 1 due
    assert (f["timely_acceptance", ""]["persons_numerator"], f["timely_acceptance", ""]["persons_denominator"]) == (4, 10)
    # registration + 30 d, moved off rest days: E's Sat 10 Oct is a make-up working day (调休) and
    # stays; A's Sat 31 Oct moves to Mon 2 Nov (November's test)
    assert nd(f["unit_timely_acceptance", ""]) == (1, 1, 100.0)      # E signed 1 Oct
    assert nd(f["on_time_closure", ""]) == (1, 3, 33.33)              # A on time; B open overdue; D late
    assert nd(f["evaluation_rate", ""]) == (1, 2, 50.0)               # D rated; E's window lapsed
    assert nd(f["satisfaction", ""]) == (1, 2, 50.0)                  # A 满意, D 不满意
    assert nd(f["unit_satisfaction", ""]) == (1, 2, 50.0)             # one rating rates office and unit
    assert nd(f["repeat_rate", ""]) == (1, 5, 20.0)                   # C among A B C D G (F not counted)
    # 人次: C 5; A 3 + B 1 + C 5 + D 1 + G 1
    assert (f["repeat_rate", ""]["persons_numerator"], f["repeat_rate", ""]["persons_denominator"]) == (5, 11)
    assert nd(f["first_time_resolution", ""]) == (2, 3, 66.67)        # D, E; A came back as C2 two days on
    assert nd(f["backlog_resolution", ""]) == (1, 1, 100.0)           # E, listed, closed 8 October
    assert nd(f["key_case_resolution", ""]) == (1, 2, 50.0)           # D closed, B open
    assert nd(f["online_share", ""]) == (3, 5, 60.0)                  # A, D, G


def test_a_deadline_at_the_end_of_the_last_day_counts_in_that_month(office):
    start, end = Month.parse("2026-10").bounds()
    assert end == datetime(2026, 10, 31, 16, tzinfo=timezone.utc)     # A's handle deadline, exactly
    rows = office.kpi.kpi_cases(DIRECTOR, "on_time_closure", start, end, part="numerator")
    assert [r["reg_no"] for r in rows] == ["REG-A"]
    november = figures(office, "2026-11")["on_time_closure", ""]
    assert november["denominator"] == 2                               # E and G; A is not counted twice


def test_open_items_not_yet_due_stay_in_the_denominator(office):
    f = figures(office, "2026-11")
    # unit acceptance due 2 Nov (A, B, C), 3 Nov (D), 19 Nov (G): A, D signed; B, C never; G not yet due
    assert nd(f["unit_timely_acceptance", ""]) == (2, 5, 40.0)
    # G accepted in time; C2 (registered 2 Nov, due 17 Nov) not accepted yet and not yet due
    assert nd(f["timely_acceptance", ""]) == (1, 2, 50.0)
    assert f["timely_acceptance", ""]["classes"] == {"及时": 1, "超期受理": 0, "超期未受理": 0, "未到期": 1}
    assert nd(f["on_time_closure", ""]) == (1, 2, 50.0)               # E on time, G open and not yet due
    assert nd(f["evaluation_rate", ""]) == (1, 1, 100.0)              # A rated; G's window still open: left out


def test_evaluation_windows_that_lapse_enter_the_denominator_once_past(office):
    start, end = Month.parse("2026-11").bounds()
    with time_machine.travel(datetime(2026, 11, 11, tzinfo=timezone.utc), tick=False):
        rows = {r["kpi"]: r for r in office.kpi.kpis(DIRECTOR, start, end)}
    assert nd(rows["evaluation_rate"]) == (1, 2, 50.0)                # G's window ended 10 Nov 24:00


def test_a_repeat_after_the_window_does_not_undo_a_first_time_resolution(office):
    f = figures(office, "2026-06")
    assert nd(f["first_time_resolution", ""]) == (1, 2, 50.0)        # I (back after 106 days); J back in 18
    start, end = Month.parse("2026-06").bounds()
    rows = office.kpi.kpi_cases(DIRECTOR, "first_time_resolution", start, end, part="missed")
    assert [r["reg_no"] for r in rows] == ["REG-J"]


def test_acceptance_classes_list_their_cases(office):
    start, end = Month.parse("2026-10").bounds()
    late = office.kpi.kpi_cases(DIRECTOR, "timely_acceptance", start, end, part="accepted_late")
    never = office.kpi.kpi_cases(DIRECTOR, "timely_acceptance", start, end, part="not_accepted")
    assert ([r["reg_no"] for r in late], [r["reg_no"] for r in never]) == (["REG-B"], ["REG-C"])
    with pytest.raises(ValidationFailed):
        office.kpi.kpi_cases(DIRECTOR, "on_time_closure", start, end, part="not_accepted")


def test_figures_by_unit_and_the_cases_behind_them(office):
    f = figures(office, by="unit")
    assert nd(f["on_time_closure", "U1"]) == (1, 2, 50.0)
    assert nd(f["on_time_closure", "U2"]) == (0, 1, 0.0)
    assert nd(f["unit_satisfaction", "U1"]) == (1, 1, 100.0) and nd(f["unit_satisfaction", "U2"]) == (0, 1, 0.0)
    start, end = Month.parse("2026-10").bounds()
    missed = office.kpi.kpi_cases(DIRECTOR, "on_time_closure", start, end, part="missed")
    assert [r["reg_no"] for r in missed] == ["REG-B", "REG-D"]
    u2 = office.kpi.kpi_cases(DIRECTOR, "on_time_closure", start, end, part="denominator", by="unit", group="U2")
    assert [r["reg_no"] for r in u2] == ["REG-D"]


def test_unit_staff_see_only_their_unit(office):
    clerk = Actor("u1staff", frozenset({"unit_staff"}), unit="U1")
    f = figures(office, actor=clerk)
    assert nd(f["repeat_rate", ""]) == (0, 2, 0.0)                    # A and B only
    start, end = Month.parse("2026-10").bounds()
    rows = office.kpi.kpi_cases(clerk, "online_share", start, end, part="denominator")
    assert {r["reg_no"] for r in rows} == {"REG-A", "REG-B"}
    with pytest.raises(NotAllowed):
        office.kpi.kpis(Actor("nobody"), start, end)
    with pytest.raises(ValidationFailed):
        office.kpi.kpis(DIRECTOR, end, start)
    with pytest.raises(ValidationFailed):
        office.kpi.kpi_cases(DIRECTOR, "no_such_kpi", start, end)


def test_metrics_follow_the_case_through_its_steps(office):
    case = office.cases.start_case("complaint_simple", {"reg_no": "REG-H", "channel": "来信"}, user="clerk1")
    task = office.tasks.list_tasks(case_id=case["id"])["items"][0]
    start, end = Month.parse("2026-11").bounds()
    before = office.kpi.kpi_cases(DIRECTOR, "timely_acceptance", start, end, part="numerator")
    assert [r["reg_no"] for r in before] == ["REG-G"]
    office.tasks.complete_task(task["id"], user="clerk1", data={
        "milestones": {"registered": z("11-01T02:00"), "accepted": z("11-02T02:00")},
        "deadlines": {"route": z("11-16T16:00")}})
    rows = office.kpi.kpi_cases(DIRECTOR, "timely_acceptance", start, end, part="numerator")
    assert [r["reg_no"] for r in rows] == ["REG-G", "REG-H"]
