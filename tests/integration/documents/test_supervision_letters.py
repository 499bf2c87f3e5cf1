"""督办函: numbered per case, the deadline as it stands that day, and only ever to a unit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

from tests.integration.documents.support import defects, documents
from tests.integration.documents.test_golden import T0, assigned


def letters(o, case: int) -> list[str]:
    return [t for k, t in documents(o, case) if k == "督办函"]


def test_after_a_send_back_the_next_supervision_letter_is_the_second_and_still_overdue(office):
    o = office
    with time_machine.travel(T0, tick=False) as clock:
        case = assigned(o)
        o.sign(case, "gov_staff")
        clock.move_to(datetime(2026, 5, 7, 2, tzinfo=timezone.utc))        # deadline 6 May has passed
        o.s.timers.fire_due_timers()
        o.do(case, "handle", "gov_staff", result="办结", report="已处理")
        o.do(case, "review_report", "director", quality="发回重办", review_note="未答复全部诉求")
        clock.shift(timedelta(days=1))
        o.s.timers.fire_due_timers()
    first, second = letters(o, case)
    assert "第1次督办" in first and "第2次督办" in second
    assert "已于2026年5月6日届满" in second and "区人民政府：" in second
    assert not defects(second)


def test_the_offices_own_overdue_review_decision_gets_no_letter_and_the_case_says_why(office):
    o = office
    with time_machine.travel(T0, tick=False) as clock:
        case = assigned(o, "housing")
        o.sign(case, "gov_staff")
        o.do(case, "co_handle", "housing_staff", co_opinion="已配合核查")
        o.do(case, "handle", "gov_staff", result="办结", report="按标准补偿")
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="不予支持", reply_text="补偿符合标准。", resolution="未化解")
        o.do(case, "request_review", "clerk", review_requested=True, review_reason="标准过低")
        clock.shift(timedelta(days=60))                                    # the 复查决定 is 30 days late
        o.s.timers.fire_due_timers()
    assert letters(o, case) == [], "the office chases its own step inside, never by a letter to a unit"
    chased = [e for e in o.case(case)["events"] if e["kind"] == "office_overdue"]
    assert chased and "本办超期第1次提醒" in chased[0]["message"], "the director hears of the office's own lateness"
