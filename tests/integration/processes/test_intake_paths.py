"""Intake: registration, repeats, triage routes that end at the office (docs/domain.md §3.7)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine

from tests.support.office import petition

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=timezone.utc)     # Monday 09:00 in Beijing


def test_phone_question_answered_in_19_minutes(office1):
    """Seed 001: '办理居住证的证明到底怎么开?' — from the call to closure in 19 minutes."""
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("咨询办理居住证证明如何开具", channel="电话", purpose="其他", content_class="党务政务",
                                   name="张某", id_number="", content="研究生张某来电询问居住证证明和安家补贴政策"))
        data = o.data(case)
        assert data["reg_no"].startswith("DH410602" + "20250303")
        assert data["repeat_kind"] == "初件" and data["milestones"]["registered"] == T0.isoformat()
        assert o.open_ids(case) == ["triage"]
        clock.shift(timedelta(minutes=4))
        o.triage(case, "即接即办")
        clock.shift(timedelta(minutes=15))
        o.do(case, "first_contact", "clerk", method="即接即办", outcome="解释说明", resolution="已化解",
             answer="联系街道办事处，明确审核材料，并解释安家补贴政策")
    detail = o.case(case)
    assert detail["status"] == "complete"
    m = detail["data"]["milestones"]
    replied = datetime.fromisoformat(m["replied"])
    assert replied - datetime.fromisoformat(m["registered"]) == timedelta(minutes=19)
    assert m["closed"] and detail["data"]["route"] == "即接即办"


def test_retirement_benefit_settled_on_a_home_visit(office1):
    """Seed 001: a disabled model worker's pension is recalculated at home with the union and 人社局."""
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("省市劳模退休待遇核定有误", purpose="求决", content_class="劳动和社会保障",
                                   content="对退休待遇产生歧义，行动不便，请求核实"))
        assert o.data(case)["suggested_category"] == "申诉求决类"
        o.triage(case, "即接即办")
        clock.shift(timedelta(days=2))
        o.do(case, "first_contact", "clerk", method="登门补办", outcome="支持", joint_units=["city_federation", "city_hrss"],
             resolution="已化解", answer="登门核验材料，查阅档案，精准计算后补办退休待遇")
    detail = o.case(case)
    assert detail["status"] == "complete"
    assert detail["data"]["method"] == "登门补办" and detail["data"]["outcome"] == "支持"


def test_rejection_bar_and_referral_issue_their_notice_and_close(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        kinds = {}
        for route, notice in (("不予受理", "不予受理告知书"), ("不再受理", "不再受理告知书"), ("告知", "告知书")):
            case = o.register(petition(f"{route}测试事项", name=f"王{route}", id_number=""))
            o.triage(case, route, competent_organ="区人民法院")
            detail = o.case(case)
            assert detail["status"] == "complete", route
            kinds[route] = set(detail["data"]["documents"])
            assert notice in kinds[route]
            assert "accepted" in detail["data"]["milestones"] and "closed" in detail["data"]["milestones"]


def test_second_letter_on_the_same_matter_is_a_repeat_but_multi_addressed_is_not(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        first = o.register(petition("小区违建阳光房影响采光"))
        clock.shift(timedelta(days=20))
        again = o.register(petition("小区违建阳光房影响采光问题", channel="来信"))
        other = o.register(petition("孩子入学学位分配", content_class="教育"))
        copy = o.register(petition("小区违建阳光房影响采光", channel="网信", multi_addressed=True))
    assert o.data(first)["repeat_kind"] == "初件"
    assert o.data(again)["repeat_kind"] == "重件" and o.data(again)["main_case_id"] == first
    assert o.data(again)["suggested_route"] == "不予受理", "the first one is still being handled"
    assert o.data(other)["repeat_kind"] == "初件"
    assert o.data(copy)["repeat_kind"] == "初件"


def test_triage_left_past_15_days_is_recorded_as_late(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = o.register(petition("道路积水无人处理"))
        task = o.task(case, "triage")
        assert task["due_at"] == "2025-03-18T16:00:00+00:00"
        clock.move_to(datetime(2025, 3, 19, 1, tzinfo=timezone.utc))
        assert o.s.timers.fire_due_timers() == 1
        assert "route_overdue" in o.data(case)["milestones"]
        assert o.open_ids(case) == ["triage"], "the clerk still has to decide"


def test_petitioner_follows_the_stage_with_the_query_code(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("楼道堆物消防隐患"))
        data = o.data(case)
        assert "query_code" not in data, "the code never enters the case data"
        status = o.s.selfservice.public_status(data["reg_no"], o.code(case))
        assert status["stage"] == "已登记" and status["step"] == "registered"
        o.triage(case, "申诉求决类")
        o.route_to_units(case, "housing")
        assert o.s.selfservice.public_status(data["reg_no"], o.code(case))["stage"] == "已转送/交办"


def test_the_triage_form_opens_with_the_suggested_category(office1):
    import re
    from webui.app import create_app
    o = office1
    case = o.register(petition("举报某局干部收受贿赂", purpose="揭发控告", content="实名举报某局干部收受开发商贿赂"))
    suggested = o.case(case)["data"]["suggested_category"]
    assert suggested == "检举控告类"
    app = create_app(o.s.settings, o.s)
    client = app.test_client()
    o.s.users.add_user("clerk_web", groups=["clerk"], password="clerk-web-pass")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"', page)
    client.post("/login", data={"username": "clerk_web", "password": "clerk-web-pass", "csrf_token": token.group(1)})
    html = client.get(f"/tasks/{o.task(case, 'triage')['id']}").get_data(as_text=True)
    assert re.search(r'<option[^>]*value="检举控告类"[^>]*selected', html), "the suggestion is preselected"
