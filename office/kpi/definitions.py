"""What each KPI means, in words: its definition (Chinese and English, for the dashboard, the
monthly report's appendix and docs/kpi.md), how to read it (higher or lower is better, the
office's target) and the words for its parts. The SQL that counts it is office.kpi.figures.

Targets are the office's own choice **[config]**: edit them here. A lower-is-better rate above its
target reads 超出 (exceeded); a higher-is-better one below it reads 未达标 (not met); a share
(网信占比) has no target and no judgement.
"""
from __future__ import annotations

from dataclasses import dataclass

HIGHER, LOWER = "higher", "lower"
MET, NOT_MET, EXCEEDED = "达标", "未达标", "超出"
VERDICTS_EN = {MET: "Met", NOT_MET: "Not met", EXCEEDED: "Exceeded"}


@dataclass(frozen=True)
class Words:
    numerator: str
    denominator: str
    missed: str | None = None       # the due cases outside the numerator, for a higher-is-better rate
    pending: str | None = None      # cases of the cohort not yet due, left out of the rate


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    label_en: str
    direction: str | None           # HIGHER, LOWER, or None for a plain share
    target: float | None            # percent
    words: Words
    words_en: Words
    text: str                       # one paragraph: cohort, numerator, not yet due, target
    text_en: str

    def verdict(self, rate: float | None) -> str | None:
        """达标 / 未达标 / 超出 against the target; None without a target or a rate."""
        if rate is None or self.target is None or self.direction is None:
            return None
        if self.direction == HIGHER:
            return MET if rate >= self.target else NOT_MET
        return MET if rate <= self.target else EXCEEDED

    @property
    def target_text(self) -> str:
        if self.target is None:
            return "—"
        return f"{'≥' if self.direction == HIGHER else '≤'} {self.target:g}%"


NOT_COUNTED = "纳入统计为否的案件不计入。"
NOT_COUNTED_EN = "Cases not counted in the statistics are left out."

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "timely_acceptance", "及时受理率", "Timely acceptance rate", HIGHER, 100.0,
        Words("及时受理", "期限已到或已受理", "超期", "未到期"),
        Words("accepted in time", "due or accepted", "late", "not yet due"),
        "受理期限（登记之日起15日，期限表 route 规则，届满日24时止）在本期内的信访事项中，截至期限已作出受理、"
        "告知等分流决定或已由承办单位签收的比例。期限未到且尚未受理的为“未到期”，单列，不计入比率。目标100%。"
        + NOT_COUNTED,
        "Of the petitions whose acceptance limit (registration + 15 days, the deadline table's route rule, "
        "ending 24:00 of its last day) ends in the period, the share the office decided on at triage "
        "(accepted, referred or any other route) or a unit signed for by that limit. One not accepted yet "
        "whose limit is still ahead is not yet due: listed apart and left out of the rate. Target 100 %. "
        + NOT_COUNTED_EN),
    Definition(
        "unit_timely_acceptance", "及时受理率（单位）", "Timely acceptance rate (units)", HIGHER, 100.0,
        Words("按时签收", "期限已到或已签收", "超期", "未到期"),
        Words("signed in time", "due or signed", "late", "not yet due"),
        "已转送或交办承办单位、登记之日起30日（按《民法典》期间计算，届满日遇休息日顺延，24时止）在本期内的信访事项中，"
        "主办单位截至该日已签收的比例，计入主办单位。尚未签收且期限未到的为“未到期”，不计入比率。目标100%。"
        + NOT_COUNTED,
        "Of the petitions sent to a handling unit whose registration + 30 days (the statutory day "
        "arithmetic: moved off rest days, ending 24:00) ends in the period, the share the lead unit signed "
        "for by then, credited to the lead unit. Unsigned with the day still ahead: not yet due, left out "
        "of the rate. Target 100 %. " + NOT_COUNTED_EN),
    Definition(
        "on_time_closure", "按期办结率", "On-time closure rate", HIGHER, 100.0,
        Words("按期办结", "期限已到或已办结", "超期", "未到期"),
        Words("closed on time", "due or closed", "late", "not yet due"),
        "办理期限（受理后60日；批准延期的，以延长后的期限为准）在本期内的信访事项中，截至期限已向信访人送达答复意见"
        "（即办结；当场答复的以答复时为准）的比例。办结报告审核通过但尚未答复的，不算办结。期限未到且尚未答复的为"
        "“未到期”，不计入比率。按单位统计时，协办单位另按同一期限就本单位的协办意见计入。目标100%。" + NOT_COUNTED,
        "Of the petitions whose handling deadline (60 days after acceptance, or the approved extension) ends "
        "in the period, the share closed by that deadline: closed means the reply was served to the "
        "petitioner (for an answer on the spot, when it was given). An approved closing report is not a "
        "closure until the reply is served. Not replied with the deadline still ahead: not yet due, left out of the rate. By unit, each "
        "co-handling unit is also judged on its own opinion against the same deadline. Target 100 %. "
        + NOT_COUNTED_EN),
    Definition(
        "evaluation_rate", "参评率", "Rating rate", HIGHER, 95.0,
        Words("已评价", "评价期已满或已评价", "超期未评价", "评价期内"),
        Words("rated", "window over or rated", "not rated", "window open"),
        "评价期限（答复之日起15日）在本期内的信访事项中，信访人已作出满意度评价的比例。评价期尚未届满且未评价的为"
        "“评价期内”，不计入比率。目标95%。" + NOT_COUNTED,
        "Of the replies whose rating window (15 days after the reply) ends in the period, the share the "
        "petitioner rated. A window still open without a rating is not yet due and left out of the rate. "
        "Target 95 %. " + NOT_COUNTED_EN),
    Definition(
        "satisfaction", "满意率", "Satisfaction rate (office)", HIGHER, 95.0,
        Words("满意和基本满意", "对信访办的评价", "不满意"),
        Words("satisfied or fairly satisfied", "ratings of the office", "dissatisfied"),
        "本期内信访人对信访办作出的评价（询问时另行评价信访办；未评价信访办的不计）中，满意和基本满意的比例。"
        "目标95%。" + NOT_COUNTED,
        "Of the ratings of the petition office given in the period (the petitioner rates the office "
        "separately, where asked; a rating without one is not counted here), the share satisfied or fairly "
        "satisfied. "
        "Target 95 %. " + NOT_COUNTED_EN),
    Definition(
        "unit_satisfaction", "满意率（单位）", "Satisfaction rate (units)", HIGHER, 95.0,
        Words("满意和基本满意", "对承办单位的评价", "不满意"),
        Words("satisfied or fairly satisfied", "ratings of the unit", "dissatisfied"),
        "本期内信访人对承办单位作出的评价中，满意和基本满意的比例，计入主办单位。目标95%。" + NOT_COUNTED,
        "Of the ratings of the handling unit given in the period, the share satisfied or fairly satisfied, "
        "credited to the lead unit. Target 95 %. " + NOT_COUNTED_EN),
    Definition(
        "repeat_rate", "重复信访率", "Repeat petition rate", LOWER, 10.0,
        Words("重件", "本期登记"),
        Words("repeat petitions", "registered"),
        "本期登记的信访事项中重件（同一信访人就同一事项再次信访；一信多投、并处不算）所占比例。越低越好，"
        "高于目标为“超出”。目标不高于10%。" + NOT_COUNTED,
        "Of the petitions registered in the period, the share that are repeats (a later petition of the "
        "same petitioner on the same matter; one letter to several organs and merged items are not). Lower "
        "is better: above the target it reads exceeded. Target at most 10 %. " + NOT_COUNTED_EN),
    Definition(
        "first_time_resolution", "一次性化解率", "First-time resolution rate", HIGHER, 90.0,
        Words("一次性化解", "观察期满或已重复信访", "再次信访", "观察期内"),
        Words("resolved first time", "window over or came back", "came back", "window open"),
        "本期内办结（答复送达或当场答复）的初件中，办结后观察期内（期限表中的一次性化解观察期，默认90日，"
        "届满日24时止）同一信访人未就同一事项再次信访（重件）的比例。观察期自办结起算而非封档，复查申请期内再次信访的"
        "也计为未一次性化解。观察期未满且尚无重件的为“观察期内”，不计入比率。目标90%。" + NOT_COUNTED,
        "Of the first petitions closed in the period (the reply served, or the answer given on the spot), "
        "the share not followed by a repeat petition of the same petitioner on the same matter within the "
        "window (the deadline table's first-time resolution window, 90 days, ending 24:00 of its last day). "
        "The window starts at the closure, not at the archive, so a petitioner who returns while the review "
        "may still be asked counts. A case whose window is still open with no repeat so far is not yet due "
        "and left out of the rate. Target 90 %. " + NOT_COUNTED_EN),
    Definition(
        "backlog_resolution", "积案化解率", "Backlog resolution rate", HIGHER, 80.0,
        Words("已化解", "列入积案", "未化解"),
        Words("resolved", "listed backlog cases", "not resolved"),
        "本期末以前登记、列入积案（积案台账：上级交办或本级排查）的信访事项（累计）中，化解记录为“已化解”且化解于本期末"
        "以前的比例。化解记录来自答复、评价、复查复核时的认定、主任认定或积案化解记录；部分化解、未化解或无记录的均不算化解。目标80%。" + NOT_COUNTED,
        "Of the listed backlog cases (the backlog ledger: assigned by a higher level or found by the office) "
        "registered before the period end (cumulative), the share whose resolution record stands at "
        "resolved, since before the period end. The record comes from the reply, the rating, the review "
        "and re-review decisions, the director or the backlog ledger's resolution; partly resolved, not "
        "resolved or nothing recorded is not resolved. Target 80 %. " + NOT_COUNTED_EN),
    Definition(
        "key_case_resolution", "包案化解率", "Leader-owned case resolution rate", HIGHER, 90.0,
        Words("已化解", "本期登记的包案", "未化解"),
        Words("resolved", "leader-owned cases registered", "not resolved"),
        "本期登记的领导包案事项中，化解记录为“已化解”且化解于本期末以前的比例；部分化解、未化解或无记录的均不算化解。"
        "目标90%。" + NOT_COUNTED,
        "Of the leader-owned cases registered in the period, the share whose resolution record stands at "
        "resolved, since before the period end; partly resolved, not resolved or nothing recorded is not "
        "resolved. Target 90 %. " + NOT_COUNTED_EN),
    Definition(
        "online_share", "网信占比", "Online share", None, None,
        Words("网信", "本期登记"),
        Words("online", "registered"),
        "本期登记的信访事项中以网上信访（网信）形式提出的比例。为构成占比，不设目标、不作达标判断。" + NOT_COUNTED,
        "Of the petitions registered in the period, the share submitted online. A share of the channels: "
        "no target and no judgement. " + NOT_COUNTED_EN),
)
BY_KEY = {d.key: d for d in DEFINITIONS}
