"""Why a petition is not (or no longer) accepted: the reasons a clerk picks at triage.

Each reason carries the sentence the 不予受理/不再受理告知书 prints, its legal basis and the proper
channel the petitioner is pointed to, so a refusal never reads "经审查，。" (docs/notices.md).
The triage form offers the labels as its `gate_reason` choices.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GateReason:
    label: str          # what the clerk picks (the form's enum value)
    route: str          # 不予受理 or 不再受理
    reason: str         # "经审查，<reason>。"
    basis: str          # "根据<basis>的规定"
    channel: str        # the proper channel, one sentence


REASONS: tuple[GateReason, ...] = (
    GateReason("已由有权机关受理、正在办理期限内", "不予受理",
               "您反映的事项已由有权处理的机关受理，目前尚在法定办理期限内",
               "《信访工作条例》第十九条第三款",
               "请等待该机关依法作出处理意见，并可向该机关查询办理进展。"),
    GateReason("已进入诉讼程序", "不予受理",
               "您反映的事项已进入诉讼程序，正由人民法院依法审理",
               "《信访工作条例》第二十二条第二款、第三十一条第一项",
               "请依照诉讼法律程序向受理案件的人民法院主张权利。"),
    GateReason("应通过行政复议等法定途径解决", "不予受理",
               "您反映的事项依法应当通过行政复议、行政裁决等法定途径解决",
               "《信访工作条例》第三十一条第四项",
               "请依法向有权的行政复议机关申请行政复议，或者通过其他法定途径解决。"),
    GateReason("应通过仲裁解决", "不予受理",
               "您反映的事项属于依法应当通过仲裁解决的纠纷",
               "《信访工作条例》第三十一条第二项",
               "请依法向有管辖权的仲裁机构申请仲裁。"),
    GateReason("复核终结后以同一事实和理由再次提出", "不再受理",
               "您反映的事项已经复核终结，您以同一事实和理由再次提出",
               "《信访工作条例》第三十六条第三款",
               "对已经复核终结的事项，各级机关不再受理；如有新的事实和理由，可以向有权处理的机关提出。"),
    GateReason("复查期满未申请复核、以同一事实和理由再次提出", "不再受理",
               "您反映的事项已作出复查意见，您未在规定期限内请求复核，现以同一事实和理由再次提出",
               "《信访工作条例》第三十五条、第三十六条第三款",
               "该复查意见为最终结论；如有新的事实和理由，可以向有权处理的机关提出。"),
)
BY_LABEL: dict[str, GateReason] = {r.label: r for r in REASONS}
LABELS: tuple[str, ...] = tuple(r.label for r in REASONS)
