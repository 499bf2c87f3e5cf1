"""Pure routing rules of the petition office: routes, category hints, repeats, the accused-unit wall."""
from __future__ import annotations

import re
from dataclasses import dataclass

# triage routes (the intake diagram's gateway branches on exactly these)
ROUTES = ("建议意见类", "申诉求决类", "涉法涉诉", "检举控告类", "不予受理", "不再受理", "告知", "即接即办")
CATEGORIES = ("建议意见类", "申诉求决类", "检举控告类", "涉法涉诉")
MODES = ("转送", "交办", "专委办理")
MODE_LABELS = ("转送", "交办", "转专门委员会/工作委员会办理")      # what people read for each mode
FOUR_WAYS = ("即接即办", "精准联办", "登门补办", "法理劝办")
OUTCOMES = ("支持", "解释说明", "不予支持")
RESOLUTIONS = ("已化解", "部分化解", "未化解")   # the 化解 record (docs/kpi.md): only 已化解 counts as resolved
RATINGS = ("满意", "基本满意", "不满意")
LITIGATION = "涉法涉诉"
DISCIPLINE_UNIT = "discipline"       # the 纪检监察 organ's unit code (demo data; configurable per office)

# keyword → category; the first category with the most hits wins (a hint for the clerk, never binding)
KEYWORDS: dict[str, tuple[str, ...]] = {
    "检举控告类": ("举报", "检举", "控告", "贪污", "受贿", "腐败", "违纪", "吃拿卡要", "挪用", "侵占集体"),
    "涉法涉诉": ("判决", "裁定", "法院", "检察院", "审理", "执行", "诉讼", "上诉", "再审", "立案", "公安"),
    "建议意见类": ("建议", "意见", "立法", "条例", "希望", "呼吁", "改进"),
    "申诉求决类": ("补偿", "拆迁", "征地", "工资", "拖欠", "退休", "待遇", "噪音", "噪声", "纠纷", "要求", "解决",
                   "证明", "社保", "低保", "房屋", "土地"),
}
PURPOSE_CATEGORY = {"揭发控告": "检举控告类", "意见建议": "建议意见类", "申诉": "申诉求决类", "求决": "申诉求决类"}


def suggest_category(subject: str, content: str = "", purpose: str = "", litigation_related: bool = False) -> str:
    """The clerk's starting point: keywords first, then the declared purpose."""
    if litigation_related:
        return "涉法涉诉"
    text = f"{subject} {content}"
    scores = {cat: sum(text.count(w) for w in words) for cat, words in KEYWORDS.items()}
    best = max(scores, key=lambda c: scores[c])
    if scores[best] > 0:
        return best
    return PURPOSE_CATEGORY.get(purpose, "申诉求决类")


def suggest_route(category: str, *, bar_applies: bool, pending_elsewhere: bool) -> str:
    """不再受理 after a 复核 on the same facts; 不予受理 while the same matter is still open."""
    if bar_applies:
        return "不再受理"
    if pending_elsewhere:
        return "不予受理"
    return category


@dataclass(frozen=True)
class RepeatVerdict:
    is_repeat: bool
    main_case_id: int | None
    bar_applies: bool
    pending_elsewhere: bool


_WORD = re.compile(r"[\u4e00-\u9fff]{2}|[a-z0-9]+", re.I)


def same_subject(a: dict, b: dict) -> bool:
    """Same matter: same content class and at least half of the shorter subject's bigrams shared."""
    if a.get("content_class") and b.get("content_class") and a["content_class"] != b["content_class"]:
        return False
    grams_a, grams_b = _bigrams(a.get("subject") or ""), _bigrams(b.get("subject") or "")
    if not grams_a or not grams_b:
        return False
    return len(grams_a & grams_b) * 2 >= min(len(grams_a), len(grams_b))


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return {"".join(chars[i:i + 2]) for i in range(len(chars) - 1)}


def judge_repeat(current: dict, earlier: list[dict]) -> RepeatVerdict:
    """重件: an earlier case of the same petitioner(s) on the same matter.

    一信多投 (one letter to several organs) and 并处 (merged for joint handling, same parallel group)
    are not repeats. `earlier` rows come from CaseLookup (oldest first)."""
    if current.get("multi_addressed"):
        return RepeatVerdict(False, None, False, False)
    group = current.get("parallel_group")
    matches = [e for e in earlier if same_subject(current, e) and not (group and e.get("parallel_group") == group)]
    if not matches:
        return RepeatVerdict(False, None, False, False)
    main = matches[0]
    main_id = main.get("main_case_id") or main["case_id"]
    bar = any(e.get("concluded") and e.get("review_stage") == "复核" for e in matches)
    pending = any(e.get("status") == "running" for e in matches)
    return RepeatVerdict(True, main_id, bar, pending)


def counted_in_statistics(route: str | None) -> tuple[bool, str]:
    """纳入统计, decided at triage: a matter sent into the courts' own procedures (诉访分离, the
    涉法涉诉 route) leaves the petition statistics (不受理、不交办、不统计、不通报); everything else
    counts. Returns (counted, basis); the director may change it on the case with a reason."""
    if route == LITIGATION:
        return False, "涉法涉诉事项依诉讼程序处理（诉访分离），不纳入信访统计"
    return True, "依分流规则纳入统计"


def check_not_accused(units: list[str], accused_unit: str | None) -> None:
    """《信访工作条例》第30条: a report never goes to the unit it accuses."""
    if accused_unit and accused_unit in units:
        raise ValueError(f"检举控告不得转交被反映单位 {accused_unit}")
