"""KPIs on the small fixed dataset of tests/support/kpi_dataset.py, compared with values computed by
hand (see the comments there and here). Every rate reads only what is due: a case whose deadline or
window is still ahead and that has nothing to judge yet is `pending` (未到期), listed apart."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from office.access import Actor
from engine.errors import NotAllowed, ValidationFailed
from office.dates import Month
from tests.support.kpi_dataset import DIRECTOR, NOW, figures, nd, z

def test_october_figures_match_the_hand_computed_values(office):
    f = figures(office)
    # route deadline in October: A 16th, B 17th, C 18th, D 19th. A, D accepted in time; B accepted on
    # the 20th (late); C never accepted, its deadline passed: 2 / 4
    assert nd(f["timely_acceptance", ""]) == (2, 4, 50.0)
    assert f["timely_acceptance", ""]["classes"] == {"及时": 2, "超期受理": 1, "超期未受理": 1, "未到期": 0}
    # 人次: A 3 + D 1 in time; A 3 + B 1 + C 5 + D 1 due
    assert (f["timely_acceptance", ""]["persons_numerator"], f["timely_acceptance", ""]["persons_denominator"]) == (4, 10)
    assert (f["timely_acceptance", ""]["missed"], f["timely_acceptance", ""]["verdict"]) == (2, "未达标")
    # registration + 30 d, moved off rest days: E's Sat 10 Oct is a make-up working day (调休) and
    # stays; A's Sat 31 Oct moves to Mon 2 Nov (November's test)
    assert nd(f["unit_timely_acceptance", ""]) == (1, 1, 100.0)      # E signed 1 Oct
    assert f["unit_timely_acceptance", ""]["verdict"] == "达标"
    # handle deadline in October: A (31st, 24:00), B (15th), D (20th). 办结 is the reply served:
    # A replied 31 Oct 18:00 local, on time; B never replied, overdue; D replied on the 25th, late
    assert nd(f["on_time_closure", ""]) == (1, 3, 33.33)
    assert f["on_time_closure", ""]["classes"] == {"按期办结": 1, "超期办结": 1, "超期未办结": 1, "未到期": 0}
    assert nd(f["evaluation_rate", ""]) == (1, 2, 50.0)               # D rated; E's window lapsed
    assert nd(f["satisfaction", ""]) == (1, 2, 50.0)                  # A 满意, D 不满意
    assert nd(f["unit_satisfaction", ""]) == (1, 2, 50.0)             # an older form's one rating rates both
    assert nd(f["repeat_rate", ""]) == (1, 5, 20.0)                   # C among A B C D G (F not counted)
    # 人次: C 5; A 3 + B 1 + C 5 + D 1 + G 1. Lower is better: 20 % is above the 10 % target, 超出,
    # and there is no "missed" count for it
    assert (f["repeat_rate", ""]["persons_numerator"], f["repeat_rate", ""]["persons_denominator"]) == (5, 11)
    assert (f["repeat_rate", ""]["missed"], f["repeat_rate", ""]["verdict"]) == (None, "超出")
    # 初件 with 办结 in October: A (31st), D (25th), E (8th). A came back as C2 on 2 Nov, within its
    # window: missed. D and E: no 重件 yet and their 90-day windows (to 25 Jan / 6 Jan) still open:
    # not yet due, left out of the rate
    assert nd(f["first_time_resolution", ""]) == (0, 1, 0.0)
    assert f["first_time_resolution", ""]["pending"] == 2
    assert nd(f["backlog_resolution", ""]) == (1, 1, 100.0)           # E, listed, 已化解 on 8 October
    assert nd(f["key_case_resolution", ""]) == (1, 2, 50.0)           # D 已化解 on 26 Oct; B only 部分化解
    assert nd(f["online_share", ""]) == (3, 5, 60.0)                  # A, D, G
    assert (f["online_share", ""]["missed"], f["online_share", ""]["verdict"]) == (None, None)   # a share


def test_a_deadline_at_the_end_of_the_last_day_counts_in_that_month(office):
    start, end = Month.parse("2026-10").bounds()
    assert end == datetime(2026, 10, 31, 16, tzinfo=timezone.utc)     # A's handle deadline, exactly
    rows = office.kpi.kpi_cases(DIRECTOR, "on_time_closure", start, end, part="numerator")
    assert [r["reg_no"] for r in rows] == ["REG-A"]
    november = figures(office, "2026-11")["on_time_closure", ""]
    # E (20 Nov, replied 8 Oct) on time; G (30 Nov) not replied and not yet due; A is not counted twice
    assert (november["denominator"], november["pending"]) == (1, 1)


def test_items_not_yet_due_are_listed_apart_and_left_out_of_the_rate(office):
    f = figures(office, "2026-11")
    # unit acceptance due 2 Nov (A, B, C), 3 Nov (D), 19 Nov (G): A, D signed; B, C never and past
    # their day; G not signed but its day is ahead: 2 / 4, G pending
    assert nd(f["unit_timely_acceptance", ""]) == (2, 4, 50.0)
    assert f["unit_timely_acceptance", ""]["pending"] == 1
    # G accepted in time; C2 (registered 2 Nov, due 17 Nov) not accepted yet and not yet due
    assert nd(f["timely_acceptance", ""]) == (1, 1, 100.0)
    assert f["timely_acceptance", ""]["classes"] == {"及时": 1, "超期受理": 0, "超期未受理": 0, "未到期": 1}
    assert nd(f["on_time_closure", ""]) == (1, 1, 100.0)              # E on time; G open and not yet due
    assert f["on_time_closure", ""]["pending"] == 1
    assert nd(f["evaluation_rate", ""]) == (1, 1, 100.0)              # A rated; G's window still open
    assert f["evaluation_rate", ""]["pending"] == 1
    start, end = Month.parse("2026-11").bounds()
    with time_machine.travel(NOW, tick=False):
        pending = office.kpi.kpi_cases(DIRECTOR, "on_time_closure", start, end, part="pending")
        missed = office.kpi.kpi_cases(DIRECTOR, "unit_timely_acceptance", start, end, part="missed")
    assert ([r["reg_no"] for r in pending], [r["reg_no"] for r in missed]) == (["REG-G"], ["REG-B", "REG-C"])


def test_evaluation_windows_that_lapse_enter_the_denominator_once_past(office):
    start, end = Month.parse("2026-11").bounds()
    with time_machine.travel(datetime(2026, 11, 11, tzinfo=timezone.utc), tick=False):
        rows = {r["kpi"]: r for r in office.kpi.kpis(DIRECTOR, start, end)}
    assert nd(rows["evaluation_rate"]) == (1, 2, 50.0)                # G's window ended 10 Nov 24:00
    assert rows["evaluation_rate"]["pending"] == 0


def test_a_repeat_after_the_window_does_not_undo_a_first_time_resolution(office):
    f = figures(office, "2026-06")
    assert nd(f["first_time_resolution", ""]) == (1, 2, 50.0)        # I (back after its window); J back in 18
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
    # milestones and deadlines are the case's own data, which handlers write in a step: a step of
    # the engine stands in for them here (a task's form can never write them, see test_form_integrity)
    from engine.steps import Action
    office.core.step(case["id"], Action.complete("clerk1", task["id"], {
        "milestones": {"registered": z("11-01T02:00"), "accepted": z("11-02T02:00")},
        "deadlines": {"route": z("11-16T16:00")}}))
    rows = office.kpi.kpi_cases(DIRECTOR, "timely_acceptance", start, end, part="numerator")
    assert [r["reg_no"] for r in rows] == ["REG-G", "REG-H"]
