"""JSON Schemas of the user-task forms (bpmn/forms/<key>.json), within what webui/formrender renders."""
from __future__ import annotations

from .forms_english import bilingual
from .gate_reasons import LABELS as GATE_REASONS
from .ladders import SUPERVISION_DECISIONS
from .routing import FOUR_WAYS, MODE_LABELS, MODES, OUTCOMES, RATINGS, RESOLUTIONS, ROUTES


def text(title: str, *, area: bool = False, max_length: int = 4000) -> dict:
    field = {"type": "string", "title": title, "maxLength": max_length}
    if area:
        field["x-widget"] = "textarea"
    return field


def choice(title: str, values) -> dict:
    return {"type": "string", "title": title, "enum": list(values)}


def labelled(title: str, values, labels) -> dict:
    """A choice whose stored values are read as other words (the value stays what diagrams test)."""
    return {"type": "string", "title": title, "enum": list(values), "enumNames": list(labels)}


def flag(title: str, description: str = "") -> dict:
    return {"type": "boolean", "title": title, **({"description": description} if description else {})}


def unit(title: str) -> dict:
    """A searchable picker of the directory's units (webui/formrender.py); the server refuses a
    code the directory does not have, or a unit that is no longer active."""
    return {"type": "string", "title": title, "maxLength": 64, "x-picker": "unit"}


def units(title: str, most: int = 10) -> dict:
    return {"type": "array", "title": title, "x-picker": "unit", "uniqueItems": True, "maxItems": most,
            "items": {"type": "string", "maxLength": 64}}


def form(title: str, required: list[str], **props: dict) -> dict:
    return bilingual({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, "type": "object",
                      "properties": props, "required": required, "additionalProperties": False})


FORMS: dict[str, dict] = {
    "triage": form("甄别分流", ["route", "category"],
                   route=choice("去向", ROUTES), category=choice("类别", ("建议意见类", "申诉求决类", "检举控告类", "涉法涉诉")),
                   proposal=text("拟办意见", area=True), competent_organ=text("有权处理机关（告知时填写）", max_length=200),
                   gate_reason=choice("不予受理/不再受理的理由（依据和途径随之载入告知书）", GATE_REASONS)),
    "first_contact": form("首接办理（四办）", ["method", "answer", "outcome", "resolution"],
                          method=choice("方式", FOUR_WAYS), answer=text("答复内容", area=True),
                          outcome=choice("结果", OUTCOMES), joint_units=units("会同单位"),
                          resolution=choice("化解情况", RESOLUTIONS)),
    "sign_off": form("主任签批", ["mode", "lead_unit"],
                     mode=labelled("办理方式", MODES, MODE_LABELS), lead_unit=unit("主办单位"),
                     co_units=units("协办单位"),
                     feedback_required=flag("转送要求反馈"), key_case=flag("领导包案", "办结后由分管领导回头看"),
                     instruction=text("签批意见", area=True)),
    "unit_sign": form("签收或异议", ["decision"], decision=choice("决定", ("签收", "异议退回")),
                      reason=text("异议理由", area=True)),
    "handle": form("办理", ["result"], result=choice("结果", ("办结", "申请延期")), report=text("办结报告", area=True),
                   extension_reason=text("延期理由", area=True),
                   extension_days={"type": "integer", "title": "申请延期天数", "minimum": 1, "maximum": 30}),
    "co_handle": form("协办单位办理意见", ["co_opinion"], co_opinion=text("协办意见（本单位职责范围内的核查和处理）", area=True)),
    "handle_extended": form("延期后办理", ["report"], report=text("办结报告", area=True)),
    "approve_extension": form("审批延期", ["approved", "extension_days"], approved=flag("批准延期"),
                              extension_days={"type": "integer", "title": "延长天数（不超过30日）", "minimum": 1,
                                              "maximum": 30},
                              approval_note=text("审批意见", area=True)),
    "review_report": form("审核办结报告", ["quality"], quality=choice("审核结论", ("通过", "发回重办")),
                          review_note=text("审核意见", area=True)),
    "reply": form("答复信访人", ["outcome", "reply_text", "resolution"], outcome=choice("处理意见", OUTCOMES),
                  reply_text=text("答复内容", area=True), legal_basis=text("法律政策依据", area=True),
                  resolution=choice("化解情况", RESOLUTIONS)),
    "evaluate": form("满意度评价", ["unit_satisfaction"],
                     unit_satisfaction=choice("对承办单位的评价", RATINGS),
                     office_satisfaction=choice("对信访办的评价（询问时填写）", RATINGS),
                     evaluation_comment=text("意见", area=True, max_length=2000),
                     revised_resolution=choice("听取评价后的化解情况（有变化时填写）", RESOLUTIONS)),
    "request_review": form("申请复查", ["review_requested", "review_reason"],
                           review_requested={"type": "boolean", "title": "申请复查", "const": True},
                           review_reason=text("复查理由", area=True)),
    "lookback": form("回头看", ["lookback_result"], lookback_result=text("回头看情况", area=True),
                     resupervise=flag("进展不力，再次督办")),
    "review_decide": form("复查/复核决定", ["decision", "opinion", "resolution"],
                          decision=choice("决定", ("维持", "撤销", "变更")), opinion=text("意见", area=True),
                          review_organ=unit("复查/复核机关（作出本决定、落款的机关）"),
                          resolution=choice("化解情况", RESOLUTIONS)),
    "request_recheck": form("申请复核", ["recheck_reason"], recheck_reason=text("复核理由", area=True)),
    "recheck_plan": form("复核安排", ["need_hearing"], need_hearing=flag("组织听证")),
    "hearing": form("听证", ["hearing_days"], hearing_days={"type": "integer", "title": "听证用时（日）",
                                                            "minimum": 1, "maximum": 60},
                    hearing_record=text("听证记录", area=True)),
    "legal_screen": form("法律顾问甄别", ["status"], status=choice("案件状态", ("已结案息访", "正在审理", "其他")),
                         screening_note=text("甄别意见", area=True)),
    "explain_law": form("释法明理", ["explanation"], explanation=text("释法明理内容", area=True)),
    "guide_litigation": form("引导参与诉讼", ["guidance"], guidance=text("引导内容", area=True)),
    "study": form("研：月度研究会", ["facts", "law", "procedure", "substance", "participants"],
                  facts=text("事实认定", area=True), law=text("法律适用", area=True), procedure=text("办案程序", area=True),
                  substance=text("实体处理", area=True), participants=text("参加人员（代表、法官、检察官、律师、学者）", area=True)),
    "transfer_legal": form("交：审慎转交", ["organ_unit"], organ_unit=unit("政法机关"),
                           key_assignment=flag("重点交办（关注度高、影响大）")),
    "supervision_decision": form("主任督办决定", ["decision", "note"],
                                 decision=choice("决定", SUPERVISION_DECISIONS), note=text("决定理由及要求", area=True)),
    "lookback_check": form("交办回头看", ["progress", "note"], progress=choice("办理进展", ("进展正常", "进展不力")),
                           note=text("核查情况", area=True)),
    "instruction_answer": form("答复领导批示", ["answer"], answer=text("答复内容", area=True)),
    "urgent_check": form("紧急信访事项处置", ["measures"], measures=text("处置措施", area=True)),
    "joint_task": form("落实联席会议决定", ["result"], result=text("落实情况", area=True)),
    "follow_up_report": form("报告代表恳谈会交办事项办理结果", ["result"], result=text("办理结果", area=True)),
    "supervise_legal": form("督：督办", ["supervision"], supervision=text("督办情况", area=True)),
    "evaluate_organ": form("评：办理评价", ["score"], score={"type": "integer", "title": "评分", "minimum": 0,
                                                           "maximum": 100}, evaluation_note=text("评价意见", area=True)),
    "discipline_sign": form("纪检监察机关签收", ["signed"], signed={"type": "boolean", "title": "签收", "const": True}),
    "discipline_result": form("处理结果", ["result_text"], result_text=text("处理结果", area=True)),
    "feedback_reporter": form("向实名举报人反馈", ["feedback"], feedback=text("反馈内容", area=True)),
}
# A refusal must say why, on what basis and where to go instead (docs/notices.md).
# (the `if` stays open: forms are read as closed schemas, and a closed condition would never match)
FORMS["triage"]["allOf"] = [{"if": {"properties": {"route": {"anyOf": [{"const": "不予受理"}, {"const": "不再受理"}]}},
                                    "required": ["route"], "additionalProperties": True},
                             "then": {"required": ["gate_reason"]}}]
