"""Handling: 签批, units, extension, 办结报告 quality, reply, evaluation, 回头看, review window."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from engine.errors import Conflict, NotAllowed

from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing
LAND_UNITS = ("city_agri", "city_housing", "county_congress", "county_agri", "county_housing", "town_gov", "village")


def add_unit_staff(o, unit: str) -> str:
    name = f"{unit}_staff"
    o.s.users.add_user(name, groups=["unit_staff"], password="demo-password-1", unit=unit, display_name=name)
    return name


def accept_and_route(o, case, lead, *co, mode="交办", **extra):
    o.triage(case, "申诉求决类")
    o.route_to_units(case, lead, *co, mode=mode, **extra)


def reply_and_finish(o, case, outcome="支持"):
    o.do(case, "reply", "clerk", outcome=outcome, reply_text="经核查，答复如下", resolution="已化解")


def test_land_dispute_of_16_people_handled_jointly_by_7_units(office1):
    """Seed 001: 16 people, one-stop joint handling by 7 departments at once."""
    o = office1
    reps = [{"name": n, "id_number": ""} for n in ("李大山", "李二河", "王春花", "赵铁柱", "孙秋月")]
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("16户村民集体反映土地和房屋权属纠纷", content_class="农村农业", collective=True,
                                   persons=16, representatives=reps))
        with pytest.raises(Exception):
            o.register(petition("超过5名代表", collective=True, persons=16,
                                representatives=reps + [{"name": "多余代表"}]))
        accept_and_route(o, case, *LAND_UNITS)
        detail = o.case(case)
        assert detail["unit"] == ",".join(LAND_UNITS)
        assert detail["data"]["collective"] is True and detail["data"]["persons"] == 16
        # a co-handling unit sees the case (but not the petitioner's query code); an unrelated unit does not
        seen = o.s.cases.get_case(case, user="agri_staff")
        assert seen["id"] == case and "query_code" not in seen["data"]
        with pytest.raises(NotAllowed):
            o.s.selfservice.current_code(case, user="agri_staff")
        assert o.s.selfservice.current_code(case, user="clerk") == o.code(case)
        with pytest.raises(NotAllowed):
            o.s.cases.get_case(case, user="police_staff")
        clock.shift(timedelta(days=1))
        o.sign(case, "agri_staff")
        co_tasks = [t for t in o.s.tasks.list_tasks(case_id=case, per_page=50)["items"] if t["bpmn_id"] == "co_handle"]
        assert sorted(t["unit"] for t in co_tasks) == sorted(LAND_UNITS[1:]), "one parallel step per co-unit"
        with pytest.raises(NotAllowed):
            o.s.tasks.complete_task(co_tasks[0]["id"], user="agri_staff", data={"co_opinion": "代写"})
        for t in co_tasks:
            staff = add_unit_staff(o, t["unit"])
            o.s.tasks.complete_task(t["id"], user=staff, data={"co_opinion": f"{t['unit']}已到场释法明理"})
        with pytest.raises(NotAllowed):        # the lead unit's own step is not a co-unit's
            o.s.tasks.complete_task(o.task(case, "handle")["id"], user=staff, data={"result": "办结"})
        clock.shift(timedelta(days=9))
        o.do(case, "handle", "agri_staff", result="办结", report="七部门同时到场，释疑解惑、释法明理，化解矛盾")
        o.do(case, "review_report", "director", quality="通过")
        reply_and_finish(o, case, "解释说明")
        o.do(case, "evaluate", "clerk", unit_satisfaction="满意")
    data = o.data(case)
    assert len(data["co_opinions"]) == 6
    assert data["unit_rating"] == "满意" and "evaluated" in data["milestones"]
    assert "交办函" in data["documents"] and "信访处理意见书" in data["documents"]


def test_noisy_cs_venue_closed_in_5_days(office1):
    """Seed 001: a '真人CS' venue in a residential building; assigned the same day, closed in 5 days."""
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("住宅楼内开设真人CS场馆噪音扰民", content_class="生态环境", collective=True,
                                   persons=7, representatives=[{"name": "周玉兰"}]))
        accept_and_route(o, case, "city_police", "district_congress", "district_police", "subdistrict", "residents")
        o.sign(case, "police_staff")
        for t in [t for t in o.s.tasks.list_tasks(case_id=case, per_page=50)["items"] if t["bpmn_id"] == "co_handle"]:
            o.s.tasks.complete_task(t["id"], user=add_unit_staff(o, t["unit"]), data={"co_opinion": "登门查验"})
        # 60 days from acceptance end on 2 May, inside the 劳动节 holiday (1–5 May): moved to 6 May
        assert o.task(case, "handle")["due_at"] == "2025-05-06T16:00:00+00:00"
        clock.shift(timedelta(days=4))
        o.do(case, "handle", "police_staff", result="办结", report="登门查验，依法查处，场馆停业")
        o.do(case, "review_report", "director", quality="通过")
        clock.shift(timedelta(days=1))
        reply_and_finish(o, case)
    m = o.data(case)["milestones"]
    took = datetime.fromisoformat(m["replied"]) - datetime.fromisoformat(m["registered"])
    assert took == timedelta(days=5)


def test_late_report_is_supervised_sent_back_twice_then_accepted(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("拆迁补偿款迟迟不到位"))
        accept_and_route(o, case, "housing")
        o.sign(case, "housing_staff")
        clock.shift(timedelta(days=65))   # 60 days end in the May Day holiday: due 6 May
        o.s.timers.fire_due_timers()
        letters = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
        assert len(letters) == 1, "60 days passed: the office supervises (the ladder's 督办函 No. 1)"
        o.do(case, "handle", "housing_staff", result="办结", report="已协调")
        for round_ in (1, 2):
            o.do(case, "review_report", "director", quality="发回重办", review_note="未逐项答复")
            assert o.data(case)["sendbacks"] == round_
            o.do(case, "handle", "housing_staff", result="办结", report=f"第{round_ + 1}次办结报告")
        o.do(case, "review_report", "director", quality="通过")
    assert o.open_ids(case) == ["reply"]
    assert "reported" in o.data(case)["milestones"]


def test_approved_extension_adds_up_to_30_days_with_a_notice(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("企业拖欠农民工工资", content_class="劳动和社会保障"))
        accept_and_route(o, case, "city_hrss")
        o.sign(case, "hrss_staff")
        handle_due = o.data(case)["deadlines"]["handle"]
        clock.shift(timedelta(days=50))
        o.do(case, "handle", "hrss_staff", result="申请延期", extension_reason="需司法鉴定", extension_days=30)
        o.do(case, "approve_extension", "director", approved=True, extension_days=30)
        data = o.data(case)
        assert "延期告知书" in data["documents"]
        extended = datetime.fromisoformat(data["deadlines"]["extension"])
        assert extended - datetime.fromisoformat(handle_due) == timedelta(days=30)
        assert o.task(case, "handle_extended")["due_at"] == extended.isoformat()
        o.do(case, "handle_extended", "hrss_staff", report="工资已全部追回")
        assert o.open_ids(case) == ["review_report"]


def test_a_send_back_after_an_approved_extension_keeps_the_extended_deadline_and_allows_no_second(office1):
    """The bug: 发回重办 after an approved extension went back to 办理 with the old 60-day
    deadline (a 督办函 at once) where the unit could ask for a second extension."""
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("企业拖欠农民工工资", content_class="劳动和社会保障"))
        accept_and_route(o, case, "city_hrss")
        o.sign(case, "hrss_staff")
        handle_due = datetime.fromisoformat(o.data(case)["deadlines"]["handle"])
        clock.shift(timedelta(days=50))
        o.do(case, "handle", "hrss_staff", result="申请延期", extension_reason="需司法鉴定", extension_days=30)
        o.do(case, "approve_extension", "director", approved=True, extension_days=30)
        extended = o.data(case)["deadlines"]["extension"]
        o.do(case, "handle_extended", "hrss_staff", report="工资已部分追回")
        clock.move_to(handle_due + timedelta(days=3))          # past the old deadline, within the extended one
        o.do(case, "review_report", "director", quality="发回重办", review_note="未全部追回")
        assert o.open_ids(case) == ["handle_extended"], "redone within the extension: no second extension to ask"
        assert o.task(case, "handle_extended")["due_at"] == extended
        o.s.timers.scheduler(worker="t").tick()
        letters = [d for d in o.s.documents.list_documents(case, user="director") if d["kind"] == "督办函"]
        assert letters == [], "the extended deadline has not run out: no 督办函"
        o.do(case, "handle_extended", "hrss_staff", report="工资已全部追回")
        assert o.open_ids(case) == ["review_report"]


def test_unit_objects_within_5_working_days_and_case_is_rerouted(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("医院收费不合理", content_class="卫生健康"))
        accept_and_route(o, case, "city_agri")
        assert o.task(case, "unit_sign")["due_at"] == "2025-03-10T16:00:00+00:00"   # 5 working days
        clock.shift(timedelta(days=2))
        o.do(case, "unit_sign", "agri_staff", decision="异议退回", reason="不属于本单位职责")
        assert o.open_ids(case) == ["sign_off"] and o.data(case)["objections"] == 1
        o.route_to_units(case, "district_gov")
        assert o.s.cases.get_case(case)["unit"] == "district_gov"


def test_transfer_without_feedback_closes_after_signing(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("建议增设公交线路", purpose="意见建议", content_class="交通运输"))
        o.triage(case, "建议意见类")
        o.route_to_units(case, "district_gov", mode="转送", feedback_required=False)
        o.sign(case, "gov_staff")
    assert o.case(case)["status"] == "complete"
    assert "转送书" in o.data(case)["documents"]


def test_evaluation_window_lapses_and_review_window_decides_day_29_vs_day_31(office1):
    """A 复查 asked on day 31 after the reply is refused; on day 29 it is accepted."""
    o = office1
    cases = {}
    with time_machine.travel(T0, tick=False) as clock:
        for label in ("late", "timely"):
            cases[label] = o.register(petition(f"宅基地确权争议{label}", name=f"刘{label}", id_number=""))
            accept_and_route(o, cases[label], "district_gov")
            o.sign(cases[label], "gov_staff")
            o.do(cases[label], "handle", "gov_staff", result="办结", report="已调查")
            o.do(cases[label], "review_report", "director", quality="通过")
            reply_and_finish(o, cases[label], "不予支持")
        clock.shift(timedelta(days=29))
        o.s.timers.fire_due_timers()
        o.do(cases["timely"], "request_review", "clerk", review_requested=True, review_reason="对答复不服")
        assert "review_decide" in o.open_ids(cases["timely"])
        clock.shift(timedelta(days=2))
        o.s.timers.fire_due_timers()
        assert "request_review" not in o.open_ids(cases["late"])
        late = o.data(cases["late"])
        with pytest.raises(Conflict):       # the petitioner's own self-service request, by query code
            o.s.selfservice.public_request_review(late["reg_no"], o.code(cases["late"]), reason="超期申请")
    late = o.data(cases["late"])
    assert "evaluation_lapsed" in late["milestones"] and o.case(cases["late"])["status"] == "complete"


def test_key_case_gets_a_lookback_within_15_days(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("安置房质量问题", key_case=True))
        accept_and_route(o, case, "housing", key_case=True)
        o.sign(case, "housing_staff")
        o.do(case, "handle", "housing_staff", result="办结", report="已整改")
        o.do(case, "review_report", "director", quality="通过")
        reply_and_finish(o, case)
        assert o.task(case, "lookback")["due_at"] == "2025-03-18T16:00:00+00:00"
        o.do(case, "lookback", "leader", lookback_result="整改到位")
