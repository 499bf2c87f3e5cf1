"""Display labels for stored codes (statuses, views), translated at render time."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

LABELS = {
    "status": {"running": _l("办理中"), "complete": _l("已办结"), "suspended": _l("已挂起"), "error": _l("出错"),
               "terminated": _l("已终止")},
    "task_state": {"open": lazy_pgettext("task state", "待办"), "completed": _l("已完成"), "cancelled": _l("已取消")},
    "view": {"inbox": _l("我的待办"), "mine": _l("我认领的"), "groups": _l("本组待认领"), "delegated": _l("我委托的"),
             "all": _l("全部待办")},
}

# The registration vocabularies are stored as Chinese words (they are the office's codes); the English
# interface shows each one translated. Unknown words (older data) show as stored.
TERMS = {
    "channel": {"来信": _l("来信"), "来访": _l("来访"), "网信": _l("网信"), "电话": _l("电话"), "代表转来": _l("代表转来")},
    "purpose": {"揭发控告": _l("揭发控告"), "意见建议": _l("意见建议"), "申诉": _l("申诉"), "求决": _l("求决"),
                "其他": _l("其他")},
    "rating": {"满意": _l("满意"), "基本满意": _l("基本满意"), "不满意": _l("不满意")},
    "resolution": {"已化解": _l("已化解"), "部分化解": _l("部分化解"), "未化解": _l("未化解")},
    # who decided a case's 纳入统计 or 化解, and the basis triage's rule gives
    "decision": {"分流规则": _l("分流规则"), "主任决定": _l("主任决定"), "主任认定": _l("主任认定"),
                 "依分流规则纳入统计": _l("依分流规则纳入统计"),
                 "涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计":
                     _l("涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计"),
                 "升级时按分流规则补记：涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计":
                     _l("升级时按分流规则补记：涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计")},
    "category": {"检举控告类": _l("检举控告类"), "建议意见类": _l("建议意见类"), "申诉求决类": _l("申诉求决类")},
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
LABELS["term"] = {word: label for words in TERMS.values() for word, label in words.items()}
