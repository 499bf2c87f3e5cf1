"""涉法涉诉 (研交督评), 检举控告 (the Art. 30 wall) and the 复查/复核 chain."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import NotAllowed

from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)


def test_case_under_trial_is_guided_to_litigation_and_closed(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("不服一审判决，要求人大监督法院", purpose="申诉", content_class="政法",
                                   litigation_related=True))
        assert o.data(case)["suggested_category"] == "涉法涉诉"
        o.triage(case, "涉法涉诉")
        o.do(case, "legal_screen", "advisor", status="正在审理", screening_note="二审正在审理")
        o.do(case, "guide_litigation", "advisor", guidance="引导依法提起上诉，避免缠访")
    detail = o.case(case)
    assert detail["status"] == "complete"
    assert "routed" not in detail["data"]["milestones"], "no transfer to the court"


def test_concluded_case_gets_the_law_explained_without_transfer(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("执行案件已终结仍要求重新处理", purpose="申诉", content_class="政法"))
        o.triage(case, "涉法涉诉")
        o.do(case, "legal_screen", "advisor", status="已结案息访")
        o.do(case, "explain_law", "advisor", explanation="释法明理")
    assert o.case(case)["status"] == "complete"


def test_study_transfer_supervise_evaluate(office1):
    """研、交、督、评: study at the monthly meeting, key assignment, supervision, evaluation per court."""
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("法院判决后拒不执行，残疾老人住宅被占", purpose="申诉", content_class="政法"))
        o.triage(case, "涉法涉诉")
        o.do(case, "legal_screen", "advisor", status="其他")
        o.do(case, "study", "advisor", facts="判决生效未执行", law="民事诉讼法", procedure="执行程序",
             substance="应强制执行", participants="人大代表2名、员额法官、检察官、律师")
        o.do(case, "transfer", "director", organ_unit="district_court", key_assignment=True)
        assert o.s.cases.get_case(case)["unit"] == "district_court"
        clock.shift(timedelta(days=65))   # 60 days end in the May Day holiday: due 6 May
        o.s.timers.fire_due_timers()
        assert "督办函" in o.data(case)["documents"]
        o.do(case, "supervise", "director", supervision="法院实地核验，予以强制执行")
        o.do(case, "evaluate_organ", "advisor", score=92, evaluation_note="执行及时")
    data = o.data(case)
    assert data["organ_evaluations"] == [{"organ_unit": "district_court", "score": 92, "note": "执行及时"}]


def accusation(o):
    return o.register(petition("举报区住建局干部收受开发商贿赂", purpose="揭发控告", content_class="纪检监察",
                               accused_unit="housing"))


def test_accusation_goes_to_discipline_and_the_accused_unit_never_sees_it(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = accusation(o)
        assert o.data(case)["suggested_category"] == "检举控告类"
        o.triage(case, "检举控告类")
        assert o.s.cases.get_case(case)["unit"] == "discipline"
        task = o.task(case, "discipline_sign")
        for attempt in (lambda: o.s.cases.get_case(case, user="housing_staff"),
                        lambda: o.s.tasks.get_task(task["id"], user="housing_staff"),
                        lambda: o.s.inbox.claim_task(task["id"], user="housing_staff"),
                        lambda: o.s.inbox.assign_task(task["id"], "housing_staff", user="director"),
                        lambda: o.s.tasks.complete_task(task["id"], user="housing_staff", data={"signed": True})):
            with pytest.raises(NotAllowed):
                attempt()
        assert all(t["case_id"] != case for t in o.s.tasks.list_tasks(user="housing_staff", per_page=100)["items"])
        assert all(c["id"] != case for c in o.s.cases.list_cases(user="housing_staff")["items"])
        o.do(case, "discipline_sign", "discipline_staff", signed=True)
        o.do(case, "discipline_result", "discipline_staff", result_text="已立案审查")
        o.do(case, "feedback_reporter", "clerk", feedback="已移交纪委监委立案审查")
    assert o.case(case)["status"] == "complete"


def test_anonymous_report_gets_no_feedback(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register({"channel": "来信", "subject": "举报村干部侵占集体资金", "content": "匿名举报",
                           "purpose": "揭发控告", "content_class": "纪检监察", "anonymous": True})
        o.triage(case, "检举控告类")
        o.do(case, "discipline_sign", "discipline_staff", signed=True)
        o.do(case, "discipline_result", "discipline_staff", result_text="已核查")
    assert o.case(case)["status"] == "complete"
    assert "replied" not in o.data(case)["milestones"]


def test_director_cannot_assign_a_report_to_the_accused_unit(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("控告区政府违规发放补贴", purpose="揭发控告", accused_unit="district_gov"))
        o.triage(case, "申诉求决类")          # even if misrouted into ordinary handling
        with pytest.raises(NotAllowed):
            o.route_to_units(case, "housing", "district_gov")
        assert o.open_ids(case) == ["sign_off"]


def test_review_then_recheck_with_hearing_then_same_facts_are_barred(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("征地补偿标准过低"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "district_gov")
        o.sign(case, "gov_staff")
        o.do(case, "handle", "gov_staff", result="办结", report="按标准补偿")
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="不予支持", reply_text="补偿符合标准", resolution="未化解")
        o.do(case, "evaluate", "clerk", unit_satisfaction="不满意")
        clock.shift(timedelta(days=10))
        o.do(case, "request_review", "clerk", review_requested=True, review_reason="标准过低")
        assert o.task(case, "review_decide")["due_at"] == "2025-04-14T16:00:00+00:00"   # Sat 12 Apr -> Monday
        o.do(case, "review_decide", "director", decision="维持", opinion="维持原处理意见", resolution="未化解")
        clock.shift(timedelta(days=20))
        o.do(case, "request_recheck", "clerk", recheck_reason="仍不服")
        # asked Wed 2 April: 30 days end Fri 2 May, inside the May Day holiday (1–5 May) -> Tue 6 May
        assert o.data(case)["deadlines"]["recheck_decision"] == "2025-05-06T16:00:00+00:00"
        o.do(case, "recheck_plan", "leader", need_hearing=True)
        o.do(case, "hearing", "leader", hearing_days=7, hearing_record="听证会记录")
        # the 7 hearing days are left out of the 30: 2 April + 37 days = Fri 9 May, a working day
        # (not 6 May + 7 = 13 May: the days are added to the period, not to the already-moved deadline)
        assert o.data(case)["deadlines"]["recheck_decision"] == "2025-05-09T16:00:00+00:00"
        o.do(case, "recheck_decide", "leader", decision="维持", opinion="复核维持", resolution="未化解")
        assert o.case(case)["status"] == "complete"
        assert o.data(case)["review_stage"] == "复核" and o.data(case)["concluded"] is True
        clock.shift(timedelta(days=40))
        again = o.register(petition("征地补偿标准过低，再次反映"))
    assert o.data(again)["bar_applies"] is True
    assert o.data(again)["suggested_route"] == "不再受理"


def test_no_recheck_request_within_30_days_ends_the_case(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("养老金计发基数"))
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "city_hrss")
        o.sign(case, "hrss_staff")
        o.do(case, "handle", "hrss_staff", result="办结", report="已核")
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="解释说明", reply_text="解释", resolution="部分化解")
        o.do(case, "evaluate", "clerk", unit_satisfaction="基本满意")
        o.do(case, "request_review", "clerk", review_requested=True, review_reason="再查")
        o.do(case, "review_decide", "director", decision="变更", opinion="部分支持", resolution="已化解")
        clock.shift(timedelta(days=31))
        o.s.timers.fire_due_timers()
    assert o.case(case)["status"] == "complete"
    assert o.data(case)["concluded"] is True and o.data(case)["review_stage"] == "复查"
