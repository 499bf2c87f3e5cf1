"""The petition office's five processes, as data for processes.layout.

Run `python -m processes.diagrams` to rewrite bpmn/*.bpmn and bpmn/forms/*.json; a test
checks the committed files equal what this module generates.
Process keys follow the cross-helper contract: intake, handling, review, litigation, accusation.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .forms_spec import FORMS
from .layout import Diagram
from .routing import ROUTES

CLERK, DIRECTOR, LEADER, LEGAL, UNIT = "clerk", "director", "leader", "legal_advisor", "unit_staff"
LANE_LABELS = {CLERK: "登记员（clerk）", DIRECTOR: "信访办主任（director）", LEADER: "分管领导（leader）",
               LEGAL: "法律顾问（legal_advisor）", UNIT: "承办单位（unit_staff）"}


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def lanes(*groups: str) -> list[tuple[str, str]]:
    return [(g, LANE_LABELS[g]) for g in groups]


def milestone(d: Diagram, nid: str, name: str, lane: str, col: int, row: int = 0) -> str:
    return d.service(nid, name, lane, col, "mark_milestone", row, {"name": q(name_of(nid))})


def name_of(nid: str) -> str:
    return nid.split("__", 1)[1] if "__" in nid else nid


def deadline(d: Diagram, nid: str, label: str, lane: str, col: int, name: str, row: int = 0, start: str = "",
             days: str | None = None) -> str:
    params = {"name": q(name)}
    if start:
        params["start"] = q(start)
    if days:
        params["days"] = days
    return d.service(nid, label, lane, col, "set_deadline", row, params)


def document(d: Diagram, nid: str, kind: str, lane: str, col: int, row: int = 0) -> str:
    return d.service(nid, f"出具{kind}", lane, col, "issue_document", row, {"kind": q(kind)})


def intake() -> Diagram:
    d = Diagram("intake", "登记与甄别分流", lanes(CLERK))
    d.start("start", "收到信访事项", CLERK, 0)
    d.service("assign_number", "生成登记号和查询码", CLERK, 1, "assign_registration")
    d.service("repeat_check", "判定初件/重件", CLERK, 2, "detect_repeat")
    d.service("category_hint", "建议分类", CLERK, 3, "suggest_category")
    milestone(d, "m__registered", "登记完成", CLERK, 4)
    deadline(d, "route_deadline", "计算受理期限", CLERK, 5, "route")
    document(d, "receipt", "回执", CLERK, 6)
    d.user("triage", "甄别分流（拟办）", CLERK, 7, form="triage", due="route")
    d.timer("triage_late", "15日受理期限届满", "triage", 'deadline("route")', interrupting=False)
    d.service("count_stats", "纳入统计判定", CLERK, 8, "count_in_statistics")
    milestone(d, "m__route_overdue", "记录超期受理", CLERK, 9, row=1)
    d.end("end_overdue_note", "超期已记录", CLERK, 10, row=1)
    milestone(d, "m__accepted", "受理/告知决定", CLERK, 9)
    d.xor("route_gw", "分流去向", CLERK, 10)
    d.call("handling_call", "办理", CLERK, 11, "handling")
    d.end("end_handled", "办理结束", CLERK, 12)
    d.user("first_contact", "首接办理（四办）", CLERK, 11, row=1, form="first_contact")
    milestone(d, "fc__replied", "当场答复", CLERK, 12, row=1)
    milestone(d, "fc__closed", "封档存卷", CLERK, 13, row=1)
    d.end("end_first_contact", "即接即办结束", CLERK, 14, row=1)
    document(d, "reject_notice", "不予受理告知书", CLERK, 11, row=2)
    document(d, "bar_notice", "不再受理告知书", CLERK, 11, row=3)
    document(d, "inform_notice", "告知书", CLERK, 11, row=4)
    d.xor("gate_merge", "汇合", CLERK, 12, row=3)
    milestone(d, "gate__closed", "封档存卷", CLERK, 13, row=3)
    d.end("end_gate", "不予办理结束", CLERK, 14, row=3)
    d.call("litigation_call", "涉法涉诉：研交督评", CLERK, 11, "litigation", row=5)
    d.end("end_litigation", "涉法涉诉结束", CLERK, 12, row=5)
    d.call("accusation_call", "检举控告：移交纪检监察", CLERK, 11, "accusation", row=6)
    d.end("end_accusation", "检举控告结束", CLERK, 12, row=6)
    d.chain("start", "assign_number", "repeat_check", "category_hint", "m__registered", "route_deadline",
            "receipt", "triage", "count_stats", "m__accepted", "route_gw")
    d.chain("triage_late", "m__route_overdue", "end_overdue_note")
    d.flow("route_gw", "handling_call", 'route in ["建议意见类", "申诉求决类"]', "受理办理")
    d.flow("route_gw", "first_contact", 'route == "即接即办"', "即接即办")
    d.flow("route_gw", "reject_notice", 'route == "不予受理"', "不予受理")
    d.flow("route_gw", "bar_notice", 'route == "不再受理"', "不再受理")
    d.flow("route_gw", "inform_notice", 'route == "告知"', "告知")
    d.flow("route_gw", "litigation_call", 'route == "涉法涉诉"', "涉法涉诉")
    d.flow("route_gw", "accusation_call", 'route == "检举控告类"', "检举控告")
    d.chain("handling_call", "end_handled")
    d.chain("first_contact", "fc__replied", "fc__closed", "end_first_contact")
    for notice in ("reject_notice", "bar_notice", "inform_notice"):
        d.flow(notice, "gate_merge")
    d.chain("gate_merge", "gate__closed", "end_gate")
    d.chain("litigation_call", "end_litigation")
    d.chain("accusation_call", "end_accusation")
    assert set(ROUTES) == {"建议意见类", "申诉求决类", "即接即办", "不予受理", "不再受理", "告知", "涉法涉诉", "检举控告类"}
    return d


def handling() -> Diagram:
    d = Diagram("handling", "办理", lanes(DIRECTOR, UNIT, CLERK, LEADER))
    d.start("start", "受理", DIRECTOR, 0)
    d.user("sign_off", "主任签批（转送、交办或转委员会办理）", DIRECTOR, 1, form="sign_off")
    d.service("routing_record", "登记承办单位", DIRECTOR, 2, "record_routing")
    d.xor("mode_gw", "办理方式", DIRECTOR, 3)
    document(d, "assign_letter", "交办函", DIRECTOR, 4)
    document(d, "transfer_letter", "转送书", DIRECTOR, 4, row=1)
    d.xor("doc_merge", "汇合", DIRECTOR, 5)
    document(d, "accept_notice", "受理告知书", DIRECTOR, 6, row=1)   # says where it went (转送/交办)
    milestone(d, "m__routed", "转送/交办发出", DIRECTOR, 6)
    deadline(d, "objection_deadline", "计算异议期限（5个工作日）", DIRECTOR, 7, "unit_objection")
    d.user("unit_sign", "承办单位签收或异议退回", UNIT, 8, form="unit_sign", due="unit_objection", unitKey="lead_unit")
    d.timer("objection_lapsed", "异议期满视为签收", "unit_sign", 'deadline("unit_objection")')
    d.xor("sign_gw", "签收？", UNIT, 9)
    d.service("count_objection", "记录退回", DIRECTOR, 9, "count_up", 1, {"counter": q("objections")})
    milestone(d, "m__unit_signed", "已签收", UNIT, 10)
    d.xor("feedback_gw", "需要反馈？", UNIT, 11)
    milestone(d, "nf__closed", "转送不需反馈，封档", CLERK, 12, row=1)
    d.end("end_no_feedback", "转送结束", CLERK, 13, row=1)
    deadline(d, "handle_deadline", "计算办理期限（60日）", UNIT, 12, "handle")
    d.xor("co_gw", "有协办单位？", UNIT, 12, row=1)
    d.user("co_handle", "协办单位办理意见", UNIT, 12, row=2, form="co_handle", due="handle",
           each=("co_units", "co_unit", "co_opinions", "co_opinion"), unitKey="co_unit")
    d.user("handle", "承办单位办理", UNIT, 13, form="handle", due="handle", unitKey="lead_unit")
    d.xor("handle_gw", "办结或申请延期", UNIT, 14)
    d.user("approve_extension", "审批延期", DIRECTOR, 15, form="approve_extension")
    d.xor("ext_gw", "批准？", DIRECTOR, 16)
    deadline(d, "ext_deadline", "计算延期期限", UNIT, 17, "extension", row=1, start="handle",
             days="extension_days")
    document(d, "ext_notice", "延期告知书", UNIT, 18, row=1)
    d.user("handle_extended", "延期后办理", UNIT, 19, row=1, form="handle_extended", due="extension",
           unitKey="lead_unit")
    d.xor("report_merge", "办结报告", UNIT, 20)
    d.user("review_report", "审核办结报告", DIRECTOR, 21, form="review_report")
    d.xor("quality_gw", "质量合格？", DIRECTOR, 22)
    d.service("count_sendback", "记录发回重办", UNIT, 22, "count_up", 1, {"counter": q("sendbacks")})
    milestone(d, "m__reported", "办结报告通过", DIRECTOR, 23)
    d.user("reply", "答复信访人", CLERK, 24, form="reply")
    document(d, "opinion_doc", "信访处理意见书", CLERK, 25)
    milestone(d, "m__replied", "已答复", CLERK, 26)
    deadline(d, "eval_deadline", "计算评价期限", CLERK, 27, "evaluate")
    deadline(d, "review_request_deadline", "计算复查申请期限", CLERK, 28, "review_request")
    d.parallel("split", "并行", CLERK, 29)
    d.user("evaluate", "满意度评价", CLERK, 30, form="evaluate", due="evaluate")
    d.timer("eval_lapsed", "评价期满", "evaluate", 'deadline("evaluate")')
    d.service("rating_record", "记录评价", CLERK, 31, "record_rating")
    milestone(d, "m__evaluated", "已评价", CLERK, 32)
    milestone(d, "m__evaluation_lapsed", "超期未评价", CLERK, 32, row=1)
    d.xor("eval_merge", "汇合", CLERK, 33)
    d.xor("key_gw", "领导包案？", LEADER, 30)
    deadline(d, "lookback_deadline", "计算回头看期限", LEADER, 31, "lookback")
    d.user("lookback", "回头看", LEADER, 32, form="lookback", due="lookback")
    d.xor("key_merge", "汇合", LEADER, 33)
    d.user("request_review", "申请复查", CLERK, 30, row=2, form="request_review", due="review_request")
    d.timer("review_window_lapsed", "复查申请期满", "request_review", 'deadline("review_request")')
    d.call("review_call", "复查复核", CLERK, 31, "review", row=2)
    d.xor("review_merge", "汇合", CLERK, 33, row=2)
    d.parallel("join", "汇合", CLERK, 34)
    milestone(d, "m__closed", "封档存卷", CLERK, 35)
    d.end("end", "办理结束", CLERK, 36)

    d.chain("start", "sign_off", "routing_record", "mode_gw")
    d.flow("mode_gw", "assign_letter", 'mode == "交办"', "交办")
    d.flow("mode_gw", "transfer_letter", 'mode == "转送"', "转送")
    d.flow("mode_gw", "doc_merge", 'mode == "专委办理"', "转专门委员会/工作委员会办理")
    d.flow("assign_letter", "doc_merge")
    d.flow("transfer_letter", "doc_merge")
    d.chain("doc_merge", "accept_notice", "m__routed", "objection_deadline", "unit_sign", "sign_gw")
    d.flow("objection_lapsed", "m__unit_signed")
    d.flow("sign_gw", "count_objection", 'decision == "异议退回"', "异议退回")
    d.flow("count_objection", "sign_off")
    d.flow("sign_gw", "m__unit_signed", 'decision == "签收"', "签收")
    d.chain("m__unit_signed", "feedback_gw")
    d.flow("feedback_gw", "handle_deadline", "feedback_required", "需反馈")
    d.flow("feedback_gw", "nf__closed", "not feedback_required", "不需反馈")
    d.chain("nf__closed", "end_no_feedback")
    d.chain("handle_deadline", "co_gw")
    d.flow("co_gw", "co_handle", "len(co_units) > 0", "会同协办")
    d.flow("co_gw", "handle", "len(co_units) == 0", "单独办理")
    d.chain("co_handle", "handle", "handle_gw")
    d.flow("handle_gw", "approve_extension", 'result == "申请延期"', "申请延期")
    d.flow("handle_gw", "report_merge", 'result == "办结"', "办结")
    d.chain("approve_extension", "ext_gw")
    d.flow("ext_gw", "ext_deadline", "approved", "批准")
    d.flow("ext_gw", "handle", "not approved", "不批准")
    d.chain("ext_deadline", "ext_notice", "handle_extended", "report_merge")
    d.chain("report_merge", "review_report", "quality_gw")
    d.flow("quality_gw", "count_sendback", 'quality == "发回重办" and sendbacks < 3', "发回重办")
    d.flow("quality_gw", "m__reported", 'quality == "通过" or sendbacks >= 3', "通过")
    d.xor("sendback_gw", "已批准延期？", UNIT, 23, row=1)
    d.flow("count_sendback", "sendback_gw")
    d.flow("sendback_gw", "handle_extended", '"extension" in deadlines', "延期后重办（延长后的期限）")
    d.flow("sendback_gw", "handle", '"extension" not in deadlines', "重办（原办理期限）")
    d.chain("m__reported", "reply", "opinion_doc", "m__replied", "eval_deadline", "review_request_deadline", "split")
    d.flow("split", "evaluate")
    d.chain("evaluate", "rating_record", "m__evaluated", "eval_merge")
    d.chain("eval_lapsed", "m__evaluation_lapsed", "eval_merge")
    d.flow("eval_merge", "join")
    d.flow("split", "key_gw")
    d.flow("key_gw", "lookback_deadline", "key_case", "领导包案")
    d.flow("key_gw", "key_merge", "not key_case", "其他案件")
    d.chain("lookback_deadline", "lookback", "key_merge")
    d.flow("key_merge", "join")
    d.flow("split", "request_review")
    d.chain("request_review", "review_call", "review_merge")
    d.flow("review_window_lapsed", "review_merge")
    d.flow("review_merge", "join")
    d.chain("join", "m__closed", "end")
    return d


def review() -> Diagram:
    d = Diagram("review", "复查与复核", lanes(CLERK, DIRECTOR, LEADER))
    d.start("start", "收到复查申请", CLERK, 0)
    d.service("stage_review_requested", "记录复查申请", CLERK, 0, "set_review_stage", 1, {"stage": q("复查")})
    deadline(d, "review_decision_deadline", "计算复查期限（30日）", DIRECTOR, 1, "review_decision")
    d.user("review_decide", "复查决定", DIRECTOR, 2, form="review_decide", due="review_decision")
    document(d, "review_opinion", "复查意见书", DIRECTOR, 3)
    d.service("stage_review", "记录复查结论", DIRECTOR, 4, "set_review_stage", 0,
              {"stage": q("复查"), "decided": "True"})
    deadline(d, "recheck_request_deadline", "计算复核申请期限", CLERK, 5, "recheck_request")
    d.user("request_recheck", "申请复核", CLERK, 6, form="request_recheck", due="recheck_request")
    d.timer("recheck_window_lapsed", "复核申请期满", "request_recheck", 'deadline("recheck_request")')
    d.service("stage_final_review", "复查意见为最终结论", CLERK, 7, "set_review_stage", 1,
              {"stage": q("复查"), "concluded": "True"})
    d.end("end_after_review", "信访终结", CLERK, 8, row=1)
    d.service("stage_recheck_requested", "记录复核申请", LEADER, 6, "set_review_stage", 1, {"stage": q("复核")})
    milestone(d, "m__recheck_requested", "收到复核申请", LEADER, 7)
    deadline(d, "recheck_decision_deadline", "计算复核期限（30日，听证不计）", LEADER, 8, "recheck_decision",
             start="recheck_requested")
    d.user("recheck_plan", "复核安排（是否听证）", LEADER, 9, form="recheck_plan")
    d.xor("hearing_gw", "听证？", LEADER, 10)
    d.user("hearing", "组织听证", LEADER, 11, row=1, form="hearing")
    d.service("hearing_excluded", "扣除听证时间", LEADER, 12, "exclude_hearing", 1)
    d.xor("hearing_merge", "汇合", LEADER, 13)
    d.user("recheck_decide", "复核决定", LEADER, 14, form="review_decide", due="recheck_decision")
    document(d, "recheck_opinion", "复核意见书", LEADER, 15)
    d.service("stage_recheck", "复核终结，同一事实不再受理", LEADER, 16, "set_review_stage", 0,
              {"stage": q("复核"), "concluded": "True"})
    d.end("end", "复核终结", LEADER, 17)
    d.chain("start", "stage_review_requested", "review_decision_deadline", "review_decide", "review_opinion",
            "stage_review", "recheck_request_deadline", "request_recheck", "stage_recheck_requested",
            "m__recheck_requested", "recheck_decision_deadline", "recheck_plan", "hearing_gw")
    d.chain("recheck_window_lapsed", "stage_final_review", "end_after_review")
    d.flow("hearing_gw", "hearing", "need_hearing", "听证")
    d.flow("hearing_gw", "hearing_merge", "not need_hearing", "不听证")
    d.chain("hearing", "hearing_excluded", "hearing_merge")
    d.chain("hearing_merge", "recheck_decide", "recheck_opinion", "stage_recheck", "end")
    return d


def litigation() -> Diagram:
    d = Diagram("litigation", "涉法涉诉：研、交、督、评", lanes(LEGAL, DIRECTOR, CLERK))
    d.start("start", "涉法涉诉事项", LEGAL, 0)
    d.user("legal_screen", "法律顾问甄别", LEGAL, 1, form="legal_screen")
    d.xor("screen_gw", "案件状态", LEGAL, 2)
    d.user("explain_law", "释法明理（不再转交）", LEGAL, 3, row=1, form="explain_law")
    d.user("guide_litigation", "引导依法参与诉讼", LEGAL, 3, row=2, form="guide_litigation")
    d.xor("screen_merge", "汇合", LEGAL, 4, row=1)
    milestone(d, "screen__replied", "已答复", CLERK, 5, row=0)
    milestone(d, "screen__closed", "封档存卷", CLERK, 6, row=0)
    d.end("end_screened", "释法/引导结束", CLERK, 7)
    deadline(d, "study_deadline", "定下次月度研究会", LEGAL, 3, "legal_study")
    d.user("study", "研：月度研究会", LEGAL, 4, form="study", due="legal_study")
    d.user("transfer", "交：审慎转交（重点交办）", DIRECTOR, 5, form="transfer_legal")
    d.service("record_organ", "登记政法机关", DIRECTOR, 6, "record_routing")
    document(d, "transfer_letter", "交办函", DIRECTOR, 7)
    milestone(d, "m__routed", "已交办", DIRECTOR, 8)
    deadline(d, "handle_deadline", "计算督办期限", DIRECTOR, 9, "handle")
    d.user("supervise", "督：督办跟踪", DIRECTOR, 10, form="supervise_legal", due="handle", escalate="false")
    d.timer("supervise_late", "督办期限届满", "supervise", 'deadline("handle")', interrupting=False)
    document(d, "supervise_letter", "督办函", DIRECTOR, 10, row=1)
    d.end("end_supervised", "已发督办函", DIRECTOR, 11, row=1)
    d.user("evaluate_organ", "评：办理评价", LEGAL, 11, form="evaluate_organ")
    d.service("record_evaluation", "记入年度评价", LEGAL, 12, "record_organ_evaluation")
    milestone(d, "m__closed", "封档存卷", CLERK, 13)
    d.end("end", "研交督评结束", CLERK, 14)
    d.chain("start", "legal_screen", "screen_gw")
    d.flow("screen_gw", "explain_law", 'status == "已结案息访"', "已结案息访")
    d.flow("screen_gw", "guide_litigation", 'status == "正在审理"', "正在审理")
    d.flow("screen_gw", "study_deadline", 'status == "其他"', "其他")
    d.flow("explain_law", "screen_merge")
    d.flow("guide_litigation", "screen_merge")
    d.chain("screen_merge", "screen__replied", "screen__closed", "end_screened")
    d.chain("study_deadline", "study", "transfer", "record_organ", "transfer_letter", "m__routed",
            "handle_deadline", "supervise", "evaluate_organ", "record_evaluation", "m__closed", "end")
    d.chain("supervise_late", "supervise_letter", "end_supervised")
    return d


def accusation() -> Diagram:
    d = Diagram("accusation", "检举控告：移交纪检监察", lanes(CLERK, UNIT))
    d.start("start", "检举控告事项", CLERK, 0)
    d.service("route_discipline", "确定纪检监察机关（回避被反映单位）", CLERK, 1, "route_to_discipline")
    document(d, "transfer_letter", "转送书", CLERK, 2)
    milestone(d, "m__routed", "已移交", CLERK, 3)
    d.user("discipline_sign", "纪检监察机关签收", UNIT, 4, form="discipline_sign", due="route")
    milestone(d, "m__unit_signed", "已签收", UNIT, 5)
    d.user("discipline_result", "反馈处理结果", UNIT, 6, form="discipline_result")
    d.xor("real_name_gw", "实名举报？", CLERK, 7)
    d.user("feedback_reporter", "向实名举报人反馈", CLERK, 8, form="feedback_reporter")
    milestone(d, "m__replied", "已反馈", CLERK, 9)
    d.xor("feedback_merge", "汇合", CLERK, 10)
    milestone(d, "m__closed", "封档存卷", CLERK, 11)
    d.end("end", "检举控告结束", CLERK, 12)
    d.chain("start", "route_discipline", "transfer_letter", "m__routed", "discipline_sign", "m__unit_signed",
            "discipline_result", "real_name_gw")
    d.flow("real_name_gw", "feedback_reporter", "real_name", "实名")
    d.flow("real_name_gw", "feedback_merge", "not real_name", "匿名，不反馈")
    d.chain("feedback_reporter", "m__replied", "feedback_merge", "m__closed", "end")
    return d


DIAGRAMS = {"intake": intake, "handling": handling, "review": review, "litigation": litigation,
            "accusation": accusation}


def render_all() -> dict[str, str]:
    """{relative path under bpmn/: content} for every shipped diagram and form."""
    out = {f"{key}.bpmn": build().to_xml() for key, build in DIAGRAMS.items()}
    for name, schema in FORMS.items():
        out[f"forms/{name}.json"] = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
    return out


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "bpmn"
    for rel, text in render_all().items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main(sys.argv)
