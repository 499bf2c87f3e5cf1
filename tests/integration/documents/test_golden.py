"""Golden notices: each notice kind rendered for a walked case and compared, as text, with a
reviewed expected file in golden/ (read them: dates, names, articles and signer).

Regenerate after an intended wording change with GOLDEN_UPDATE=1, then review the diff."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from tests.integration.documents.support import GOLDEN, defects, documents
from tests.support.office import petition

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)       # Monday 2 March 2026, 10:00 Beijing


def compare(o, case_id: int, name: str, kind: str, nth: int = 0) -> str:
    texts = [t for k, t in documents(o, case_id) if k == kind]
    assert len(texts) > nth, f"no {kind} #{nth + 1}; issued: {[k for k, _ in documents(o, case_id)]}"
    text = texts[nth].replace(o.code(case_id), "<查询码>") + "\n"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("GOLDEN_UPDATE"):
        path.write_text(text, encoding="utf-8")
    assert not defects(text), defects(text)
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the reviewed golden/{name}.txt"
    return text


def assigned(o, *co: str, mode: str = "交办") -> int:
    case = o.register(petition("小区违建阳光房影响采光", content="楼上住户在露台搭建阳光房，遮挡采光，多次投诉未果"))
    o.triage(case, "申诉求决类")
    o.route_to_units(case, "district_gov", *co, mode=mode)
    return case


def test_receipt_acceptance_and_co_handled_assignment(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = assigned(o, "housing")
    compare(o, case, "回执", "回执")
    text = compare(o, case, "受理告知书_交办", "受理告知书")
    assert "<查询码>" in text and "区人民政府将依法办理" in text and "六十日内办结" not in text
    letter = compare(o, case, "交办函_会同办理", "交办函")
    assert letter.count("区人民政府（主办）、区住房和城乡建设局（协办）：") == 1
    assert "自收到本函之日起60日内办结" in letter


def test_transfer_letter_and_its_acceptance_notice(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = assigned(o, mode="转送")
    compare(o, case, "转送书", "转送书")
    assert "已将该事项转送区人民政府" in compare(o, case, "受理告知书_转送", "受理告知书")


@pytest.mark.parametrize("route,name", [("不予受理", "不予受理告知书"), ("不再受理", "不再受理告知书")])
def test_refusals_state_reason_article_and_channel(office1, route, name):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("征地补偿标准过低"))
        o.triage(case, route)
    text = compare(o, case, name, name)
    assert "《信访工作条例》第" in text and "经审查，。" not in text


def test_inform_notice_names_the_competent_organ(office1):
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("劳动合同纠纷"))
        o.triage(case, "告知", competent_organ="区劳动人事争议仲裁委员会")
    compare(o, case, "告知书", "告知书")


def test_extension_send_back_reply_and_supervision(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = assigned(o)
        clock.shift(timedelta(days=1))
        o.sign(case, "gov_staff")
        clock.shift(timedelta(days=50))
        o.do(case, "handle", "gov_staff", result="申请延期", extension_reason="需要第三方噪声检测", extension_days=30)
        o.do(case, "approve_extension", "director", approved=True, extension_days=30)
        text = compare(o, case, "延期告知书", "延期告知书")
        assert "需要第三方噪声检测" in text and text.rstrip().splitlines()[-2] == "区人民政府"
        o.do(case, "handle_extended", "gov_staff", report="已责令拆除")
        o.do(case, "review_report", "director", quality="发回重办", review_note="未附拆除照片")
        o.do(case, "handle_extended", "gov_staff", report="已拆除，附照片")   # the extended deadline still runs
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="支持", reply_text="违建阳光房已于4月20日拆除。",
             legal_basis="《中华人民共和国城乡规划法》第六十四条", resolution="已化解")
    text = compare(o, case, "信访处理意见书", "信访处理意见书")
    assert text.rstrip().splitlines()[-2] == "区人民政府", "the handling organ signs its own decision"


def test_boundary_timer_supervision_letter_is_numbered_and_states_the_deadline_as_it_stands(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = assigned(o)
        clock.shift(timedelta(days=1))
        o.sign(case, "gov_staff")
        clock.move_to(datetime(2026, 5, 8, 2, tzinfo=timezone.utc))      # deadline 6 May (May Day holiday)
        o.s.timers.fire_due_timers()
    text = compare(o, case, "督办函", "督办函")
    assert "已于2026年5月6日届满" in text and "第1次督办" in text


def test_review_and_recheck_opinions(office1):
    o = office1
    with time_machine.travel(T0, tick=False) as clock:
        case = assigned(o)
        o.sign(case, "gov_staff")
        o.do(case, "handle", "gov_staff", result="办结", report="按标准补偿")
        o.do(case, "review_report", "director", quality="通过")
        o.do(case, "reply", "clerk", outcome="不予支持", reply_text="补偿符合标准。", resolution="未化解")
        o.do(case, "evaluate", "clerk", unit_satisfaction="不满意")
        clock.shift(timedelta(days=10))
        o.do(case, "request_review", "clerk", review_requested=True, review_reason="标准过低")
        o.do(case, "review_decide", "director", decision="维持", opinion="原处理意见认定事实清楚。",
             review_organ="city_housing", resolution="未化解")
        text = compare(o, case, "复查意见书", "复查意见书")
        assert "区人民政府" in text and text.rstrip().splitlines()[-2] == "市住房和城乡建设局"
        clock.shift(timedelta(days=20))
        o.do(case, "request_recheck", "clerk", recheck_reason="仍不服")
        o.do(case, "recheck_plan", "leader", need_hearing=False)
        o.do(case, "recheck_decide", "leader", decision="维持", opinion="复查意见正确。",
             review_organ="city_agri", resolution="未化解")
    assert "第三十六条第三款" in compare(o, case, "复核意见书", "复核意见书")


def test_a_refusal_without_a_reason_is_refused_at_triage_and_nothing_is_issued(office1):
    from engine.errors import ValidationFailed
    o = office1
    with time_machine.travel(T0, tick=False):
        case = o.register(petition("征地补偿标准过低"))
        with pytest.raises(ValidationFailed):
            o.do(case, "triage", "clerk", route="不予受理", category="申诉求决类")
    assert "triage" in o.open_ids(case)
    assert [k for k, _ in documents(o, case)] == ["回执"]
