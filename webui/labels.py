"""Display labels for stored codes (statuses, views), translated at render time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

LABELS = {
    "status": {"running": _l("办理中"), "complete": _l("已答复办结"), "suspended": _l("已挂起"), "error": _l("出错"),
               "terminated": _l("已终止")},
    "task_state": {"open": lazy_pgettext("task state", "待办"), "completed": _l("已完成"), "cancelled": _l("已取消")},
    "view": {"inbox": _l("我的待办"), "mine": _l("我认领的"), "groups": _l("本组待认领"), "delegated": _l("我委托的"),
             "all": _l("全部待办")},
}

# The registration vocabularies are stored as Chinese words (they are the office's codes); the English
# interface shows each one translated. Unknown words (older data) show as stored.
TERMS = {
    "channel": {"来信": _l("来信"), "来访": _l("来访"), "网信": _l("网信"), "电话": _l("电话"),
                "代表转来": _l("人大代表转交")},
    "source": {"本人提出": _l("本人提出"), "人大代表转交": _l("人大代表转交"), "领导批示": _l("领导批示"),
               "上级机关转来": _l("上级机关转来"), "其他机关转来": _l("其他机关转来")},
    "purpose": {"揭发控告": _l("揭发控告"), "意见建议": _l("意见建议"), "申诉": _l("申诉"), "求决": _l("求决"),
                "其他": _l("其他")},
    "rating": {"满意": _l("满意"), "基本满意": _l("基本满意"), "不满意": _l("不满意")},
    "resolution": {"已化解": _l("已化解"), "部分化解": _l("部分化解"), "未化解": _l("未化解")},
    # who decided a case's 纳入统计 or 化解, and the basis triage's rule gives
    "decision": {"分流规则": _l("分流规则"), "主任决定": _l("主任决定"), "主任认定": _l("主任认定"), "积案化解": _l("积案化解"),
                 "依分流规则纳入统计": _l("依分流规则纳入统计"),
                 "涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计":
                     _l("涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计"),
                 "升级时按分流规则补记：涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计":
                     _l("升级时按分流规则补记：涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计")},
    "category": {"检举控告类": _l("检举控告类"), "建议意见类": _l("建议意见类"), "申诉求决类": _l("申诉求决类"),
                 "涉法涉诉": _l("涉法涉诉")},
    "content_class": {"农村农业": _l("农村农业"), "自然资源": _l("自然资源"), "城乡建设": _l("城乡建设"),
                      "劳动和社会保障": _l("劳动和社会保障"), "卫生健康": _l("卫生健康"), "教育": _l("教育"),
                      "经济管理": _l("经济管理"), "市场监管": _l("市场监管"), "交通运输": _l("交通运输"),
                      "民政与应急": _l("民政与应急"), "政法": _l("政法"), "军队事务": _l("军队事务"),
                      "科技与信息产业": _l("科技与信息产业"), "生态环境": _l("生态环境"), "文体旅游": _l("文体旅游"),
                      "党务政务": _l("党务政务"), "组织人事": _l("组织人事"), "纪检监察": _l("纪检监察"), "其他": _l("其他")},
    "organ": {"政府及其部门": _l("政府及其部门"), "监察委员会": _l("监察委员会"), "人民法院": _l("人民法院"),
              "人民检察院": _l("人民检察院"), "下级人大及其常委会": _l("下级人大及其常委会"), "人大代表": _l("人大代表"),
              "人大机关工作人员": _l("人大机关工作人员"), "其他": _l("其他")},
}
TERMS["repeat"] = {"初件": _l("初件"), "重件": _l("重件")}
OUTCOMES = {"支持": _l("支持"), "解释说明": _l("解释说明"), "不予支持": _l("不予支持"), "维持": _l("维持"),
            "撤销": _l("撤销"), "变更": _l("变更")}
TERMS["outcome"] = OUTCOMES
TERMS["proposal_kind"] = {"代表建议": lazy_pgettext("proposal kind", "代表建议"), "议案": _l("议案")}
LABELS["term"] = {word: label for words in TERMS.values() for word, label in words.items()}

# What happened, as the timeline says it (case_event.kind).
LABELS["event"] = {
    "case_started": _l("登记立案"), "task_created": _l("生成待办"), "task_completed": _l("办理完成"),
    "task_cancelled": _l("待办取消"), "task_assigned": _l("认领或指派"), "engine_step": _l("流程处理"),
    "timer_fired": _l("期限届满"), "deadline_changed": _l("调整期限"), "deadline_provisional": _l("期限暂定"),
    "case_completed": _l("办结归档"), "case_suspended": _l("挂起"), "case_running": _l("恢复办理"),
    "case_terminated": _l("终止"), "error": _l("出错"), "reminder": _l("催办"), "escalated": _l("督办"),
    "leader_notified": _l("提请领导关注"), "document_issued": _l("出具文书"),
    "document_refused": _l("文书未出具（缺少必备内容）"), "document_received": _l("收到办理机关文书"),
    "case_migrated": _l("迁移流程版本"),
    "case_migration_reverted": _l("撤销流程迁移"), "query_code_reissued": _l("重新生成查询码"),
    "office_overdue": _l("本办环节超期提醒"), "supervision_task_opened": _l("提请主任督办决定"),
    "leader_listed": _l("列入领导督办清单"), "supervision_decided": _l("主任督办决定"),
    "supervision_lifted": _l("撤出督办清单"), "supervision_action": _l("督办"),
    "key_case_assigned": _l("领导包案"), "leader_instruction": _l("领导批示"), "instruction_answered": _l("答复领导批示"),
    "follow_up_assigned": _l("代表恳谈会交办"),
    "lookback_due": _l("交办回头看"), "lookback_checked": _l("回头看结果"),
    "backlog_listed": _l("列入积案"), "backlog_resolved": _l("积案化解"),
    "joint_meeting": _l("联席会议/协调会"), "joint_duty_done": _l("落实会议决定"),
}
# The office's supervision acts and meetings (stored as the Chinese words).
LABELS["supervision_method"] = {
    "书函催办": _l("书函催办"), "电话询办": _l("电话询办"), "共同接办": _l("共同接办"), "约谈": _l("约谈"),
    "通报": _l("通报"), "挂牌督办": _l("挂牌督办"), "交办督办会": _l("交办督办会"), "调度会": _l("调度会"),
    "再次督办": _l("再次督办"), "交办事项督办": _l("交办事项督办"), "联席会议": _l("联席会议"), "协调会": _l("协调会"),
}
# Where a 积案 listing came from (stored as the Chinese words).
LABELS["backlog_source"] = {"上级交办": _l("上级交办"), "本级排查": _l("本级排查")}
# Roles, as 办理人 reads when nobody has claimed a step yet.
LABELS["role"] = {"clerk": _l("登记员"), "director": _l("信访办主任"), "leader": _l("分管领导"),
                  "legal_advisor": _l("法律顾问"), "unit_staff": _l("承办单位"), "analyst": _l("流程分析员"),
                  "admin": _l("系统管理员"), "petitioner": _l("信访人"), "intake_staff": _l("登记组"),
                  "reviewers": _l("审核组"), "discipline": _l("纪检监察人员"),
                  "deputy": _l("人大代表")}
LABELS["unit_kind"] = {"government": _l("政府及其部门"), "court": _l("人民法院"), "procuratorate": _l("人民检察院"),
                       "supervision": _l("纪检监察机关"), "congress": _l("人大及其常委会"),
                       "committee": _l("人大专门委员会、工作委员会"), "other": _l("其他")}
# Deadline names of the shipped tables (others show the table's own label).
LABELS["deadline"] = {
    "route": _l("受理/告知期限"), "unit_objection": _l("异议退回期限"), "handle": _l("办理期限"),
    "extension": _l("延长办理期限"), "evaluate": _l("满意度评价期限"), "review_request": _l("申请复查期限"),
    "review_decision": _l("复查意见期限"), "recheck_request": _l("申请复核期限"), "recheck_decision": _l("复核意见期限"),
    "lookback": _l("回头看期限"), "legal_study": _l("涉法涉诉研究期限"),
    "first_time_resolution": _l("一次性化解观察期"),
}
# The petitioner's windows (open steps that are theirs, not the office's work).
LABELS["window"] = {"evaluate": _l("满意度评价期"), "review_request": _l("复查申请期"),
                    "recheck_request": _l("复核申请期")}
LABELS["flag"] = {"multi_addressed": _l("一信多投"), "skip_level": _l("越级访"), "litigation_related": _l("涉法涉诉"),
                  "sensitive": _l("敏感"), "urgent": _l("紧急"), "instructed": _l("领导批示"), "key_case": _l("领导包案")}
LABELS["registration"] = {
    "channel": _l("信访形式"), "source": _l("来源"), "received_at": _l("登记时间"), "subject": _l("事由"),
    "content": _l("信访内容"), "purpose": _l("信访目的"), "content_class": _l("内容分类"), "category": _l("类别"),
    "organ": _l("被反映机关类型"), "persons": _l("人数"), "collective": _l("集体访"), "anonymous": _l("匿名"),
}
