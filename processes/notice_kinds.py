"""Who issues which notice, to whom, when, with which facts, on which legal basis.

One table, as data: the manual (docs/notices.md) prints it, rendering checks the required facts
against it (a missing fact refuses the letter instead of printing a blank), and a template
upload is checked against the fields it lists. 不包办代替: the office issues its own notices
(受理、不予受理、告知、转送、交办、督办、回执); the handling organ's decisions (处理意见、延期、复查、
复核) are issued in that organ's name, from what that organ submitted.
"""
from __future__ import annotations

from dataclasses import dataclass

OFFICE, ORGAN, REVIEW_ORGAN = "本机关（信访办）", "办理机关", "复查/复核机关"
PETITIONER, UNITS, UNIT = "信访人", "承办单位（主办、协办）", "承办单位（主办）"
DEPUTY = "转交事项的人大代表"

# Every field a template may use, and what it holds (docs/notices.md lists them).
FIELDS: dict[str, str] = {
    "reg_no": "登记编号", "petitioner": "信访人姓名（致单位的检举控告件为“（依法保密）”）",
    "addressee": "抬头：信访人或承办单位名称（会同办理的注明主办/协办）", "subject": "事项摘要",
    "content": "信访事项内容", "received": "登记日期", "issued": "出具日期", "signer": "落款机关名称",
    "office": "信访办名称", "query_code": "查询码", "route_deadline": "告知是否受理的最后一日",
    "mode": "办理方式（转送/交办/专委办理）", "handling_organ": "办理机关名称",
    "period": "交办函的办理期限及计算方法", "deadline": "办理（延长后）期限的最后一日",
    "deadline_state": "督办时期限的实际状态（已于…届满/将于…届满）", "sequence": "第几次督办",
    "reason": "理由（延期理由，或不予/不再受理的理由）", "basis": "法律依据（条款）",
    "channel": "正确途径", "competent_organ": "有权处理机关", "outcome": "处理结果（支持/解释说明/不予支持）",
    "opinion": "意见正文", "deputy": "转交事项的人大代表姓名", "legal_basis": "法律政策依据", "decision": "复查/复核决定（维持/撤销/变更）",
}
COMMON = ("reg_no", "subject", "issued", "signer", "addressee")


@dataclass(frozen=True)
class NoticeKind:
    kind: str
    issuer: str
    addressee: str
    when: str
    facts: tuple[str, ...]          # required: rendering refuses the letter without them
    basis: str
    optional: tuple[str, ...] = ()  # may be empty (the template words around them)

    @property
    def issued_by_office(self) -> bool:
        return self.issuer == OFFICE

    @property
    def to_units(self) -> bool:
        return self.addressee in (UNITS, UNIT)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(("office", "petitioner", *COMMON, *self.facts, *self.optional))


TABLE: tuple[NoticeKind, ...] = (
    NoticeKind("回执", OFFICE, PETITIONER, "登记后（intake.receipt）",
               COMMON + ("received", "route_deadline", "query_code"), "第二十一条、第二十二条"),
    NoticeKind("受理告知书", OFFICE, PETITIONER, "主任签批转送/交办/专委办理后（handling.accept_notice）",
               COMMON + ("received", "query_code"), "第二十二条、第二十三条", ("mode", "handling_organ")),
    NoticeKind("不予受理告知书", OFFICE, PETITIONER, "甄别为不予受理（intake.reject_notice）",
               COMMON + ("received", "reason", "basis", "channel"), "第十九条第三款、第二十二条、第二十三条"),
    NoticeKind("不再受理告知书", OFFICE, PETITIONER, "甄别为不再受理（intake.bar_notice）",
               COMMON + ("received", "reason", "basis", "channel"), "第三十六条第三款"),
    NoticeKind("告知书", OFFICE, PETITIONER, "甄别为告知（intake.inform_notice）",
               COMMON + ("received", "competent_organ"), "第二十二条、第二十三条第一款"),
    NoticeKind("转送书", OFFICE, UNITS, "主任签批转送（handling.transfer_letter）；检举控告移交（accusation）",
               COMMON + ("content",), "第二十二条第二款、第三十条"),
    NoticeKind("交办函", OFFICE, UNITS, "主任签批交办（handling.assign_letter）；涉法涉诉重点交办（litigation）",
               COMMON + ("content", "period"), "第二十二条、第三十四条"),
    NoticeKind("督办函", OFFICE, UNIT, "办理期限届满（边界定时器）或逾期督办（supervision）",
               COMMON + ("sequence", "deadline_state"), "第三十九条、第四十条"),
    NoticeKind("延期告知书", ORGAN, PETITIONER, "延期经批准（handling.ext_notice）",
               COMMON + ("reason", "deadline"), "第三十四条"),
    NoticeKind("信访处理意见书", ORGAN, PETITIONER, "办理机关答复（handling.opinion_doc）",
               COMMON + ("outcome", "opinion"), "第三十一条第六项、第三十二条、第三十五条", ("legal_basis",)),
    NoticeKind("复查意见书", REVIEW_ORGAN, PETITIONER, "复查决定（review.review_opinion）",
               COMMON + ("decision", "handling_organ"), "第三十五条", ("opinion",)),
    NoticeKind("复核意见书", REVIEW_ORGAN, PETITIONER, "复核决定（review.recheck_opinion）",
               COMMON + ("decision",), "第三十六条", ("opinion",)),
    NoticeKind("办理结果反馈", OFFICE, DEPUTY, "代表转交的事项答复送达信访人后（deputies.step_hook）",
               COMMON + ("received", "outcome"), "本会工作制度：代表转交的事项，办理结果向代表反馈（非条例规定的告知文书）", ("opinion",)),
)
BY_KIND: dict[str, NoticeKind] = {k.kind: k for k in TABLE}


def missing_facts(kind: str, fields: dict) -> list[str]:
    """The required facts a letter would print blank: '' / None / whitespace / 0 count as missing."""
    return [f for f in BY_KIND[kind].facts if not str(fields.get(f) if fields.get(f) is not None else "").strip()
            or fields.get(f) == 0]


def unknown_fields(kind: str, used: set[str]) -> list[str]:
    """Fields a template uses that the notice kind does not provide (refused at upload)."""
    return sorted(set(used) - BY_KIND[kind].fields)


def markdown_rows() -> list[str]:
    """The table's rows as docs/notices.md prints them (a test keeps the manual in step)."""
    def facts(k: NoticeKind) -> str:
        text = "、".join(f"`{f}`" for f in k.facts)
        return text + ("；可空：" + "、".join(f"`{f}`" for f in k.optional) if k.optional else "")
    return [f"| {k.kind} | {k.issuer} | {k.addressee} | {k.when} | {facts(k)} | {('《信访工作条例》' if k.basis.startswith('第') else '') + k.basis} |"
            for k in TABLE]
