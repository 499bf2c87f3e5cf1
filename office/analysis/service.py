"""Analysis service methods: hot spots, the 代表恳谈会 selection and the 评 evaluation.

Who sees what: hot spots are scoped like the KPIs (the office's leadership, analysts and
administrators see every case; unit staff see the topics of the cases their unit leads, never of
reports against it). The 恳谈会 selection lists cases across all units, so it is for the office's
leadership and analysts only. The 评 evaluation of courts and procuratorates is for them and the
legal advisers, who run 研交督评; importing rates and changing weights is for directors,
analysts, administrators and legal advisers.
"""
from __future__ import annotations

from office.analysis import evaluation, hotspots, selection
from office.access import ANALYSTS, EVALUATION_READERS, EVALUATORS, OFFICE, Actor
from engine.clock import utcnow
from engine.errors import NotAllowed, ValidationFailed
from office.exports import Sheet, workbook
from office.directory.names import Names
from office.dates import Month

MAX_SELECTION, MAX_SUGGESTIONS, MAX_HOTSPOT_MONTHS = 50, 50, 24

TOPIC_COLUMNS = (("group", "分组"), ("topic", "主题"), ("count", "件数"), ("persons", "人次"), ("repeats", "重件"),
                 ("related", "相关关键词"), ("regions", "涉及地区"), ("organs", "涉及机关"))
RISING_COLUMNS = (("topic", "主题"), ("previous", "上月件数"), ("count", "本月件数"), ("growth", "增加件数"),
                  ("growth_rate", "环比增幅（%）"))
SUGGESTION_COLUMNS = (("rank", "序号"), ("topic", "建议监督主题"), ("count", "件数"), ("persons", "人次"),
                      ("regions", "涉及地区"), ("organs", "涉及机关"), ("units", "承办单位"), ("example_cases", "典型案例"))
PICK_COLUMNS = (("rank", "序号"), ("reg_no", "登记号"), ("subject", "事由"), ("topic", "主题"), ("region", "地区"),
                ("unit", "承办单位"), ("persons", "人数"), ("score", "得分"), ("reasons", "入选理由"))
ORGAN_COLUMNS = (("rank", "名次"), ("organ", "机关"), ("petitions", "信访件数"), ("outcomes", "办理结果"),
                 ("satisfaction", "满意率（%）"), ("cases", "结案数"), ("petition_rate", "信访率（%）"),
                 ("appeal_rate", "上诉率（%）"), ("reversal_rate", "改判率（%）"), ("score", "综合得分"))


def _limit(value, most: int) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed("limit must be a whole number") from None
    if not 1 <= value <= most:
        raise ValidationFailed(f"limit must be between 1 and {most}")
    return value


class Analysis:
    def __init__(self, core, kpi):
        self.core = core
        self.kpi = kpi

    def _analysis_actor(self, session, user: str | Actor) -> Actor:
        return user if isinstance(user, Actor) else self.core.actor(session, user)

    def _require(self, session, user: str | Actor, groups: frozenset[str], what: str) -> Actor:
        actor = self._analysis_actor(session, user)
        if not actor.groups & groups:
            raise NotAllowed(what)
        return actor

    # -- hot spots --------------------------------------------------------------------------
    def hotspot_analysis(self, user: str | Actor, month: str, *, months: int = 1, by: str | None = None,
                         region: str | None = None, organ: str | None = None, limit: int = 10) -> dict:
        """The topics of the `months` months ending with `month` (optionally of one region or organ,
        or grouped by region or organ), the topics rising in `month` against the month before,
        and the suggested supervision topics of the period."""
        if by is not None and by not in hotspots.GROUPS:
            raise ValidationFailed(f"unknown grouping {by!r}; use region or organ")
        months, limit = _limit(months, MAX_HOTSPOT_MONTHS), _limit(limit, MAX_SUGGESTIONS)
        last = Month.parse(month)
        first = last.shift(1 - months)
        start, end = first.bounds()[0], last.bounds()[1]
        previous_start = last.previous().bounds()[0]
        hotspots.prepare(self.core.settings.storage_dir.parent / "jieba")
        with self.core.uow(write=False) as uow:
            unit = self.kpi.scope(uow.session, user)
            loaded = hotspots.load(uow.session, min(start, previous_start), end, unit=unit, region=region, organ=organ)
            items = [i for i in loaded if i.registered_at >= start]
            recent = [i for i in loaded if i.registered_at >= previous_start]
            return named({"month": month, "first_month": str(first), "by": by, "region": region, "organ": organ,
                          "cases": len(items), "topics": hotspots.topics(items, by=by),
                          "rising": hotspots.rising(recent, last.bounds()[0]),
                          "suggestions": hotspots.suggestions(items, limit=limit)}, Names(uow.session))

    def rising_topics(self, user: str | Actor, month: str) -> list[dict]:
        """Topics with more cases in `month` than in the month before."""
        return self.hotspot_analysis(user, month)["rising"]

    def supervision_suggestions(self, user: str | Actor, month: str, *, months: int = 1, limit: int = 10) -> list[dict]:
        return self.hotspot_analysis(user, month, months=months, limit=limit)["suggestions"]

    def hotspot_workbook(self, user: str | Actor, month: str, **options) -> bytes:
        found = self.hotspot_analysis(user, month, **options)
        period = found["month"] if found["first_month"] == month else f"{found['first_month']}至{month}"
        suggestions = [{**row, "example_cases": [f"{e['reg_no']} {e['subject']}" for e in row["examples"]]}
                       for row in found["suggestions"]]
        return workbook([Sheet("热点主题", TOPIC_COLUMNS, found["topics"], title=f"{period} 热点主题"),
                         Sheet("环比上升", RISING_COLUMNS, found["rising"], title=f"{month} 环比上升的主题"),
                         Sheet("建议监督主题", SUGGESTION_COLUMNS, suggestions, title=f"{period} 建议监督主题",
                               widths={"example_cases": 60})])

    def topic_cases(self, user: str | Actor, month: str, topic: str | None = None) -> dict:
        """The month's hot topics (two cases or more, most first) and, when one is named, its cases:
        what the office picks as the material of a 代表建议 (一类事项→一项机制). The office's users
        see every case, so every topic."""
        start, end = Month.parse(month).bounds()
        hotspots.prepare(self.core.settings.storage_dir.parent / "jieba")
        with self.core.uow(write=False) as uow:
            self._require(uow.session, user, OFFICE, "the hot topics' cases are for the petition office")
            items = hotspots.load(uow.session, start, end)
        topics = [{"topic": r["topic"], "count": r["count"]} for r in hotspots.suggestions(items, limit=MAX_SUGGESTIONS)]
        cases = []
        if topic:
            assigned = hotspots.assign(items)
            cases = [{"case_id": i.case_id, "reg_no": i.reg_no, "subject": i.subject} for i in items
                     if assigned[i.case_id] == topic]
            if not cases:
                raise ValidationFailed(f"{month}没有热点“{topic}”", [{"field": "topic", "message": f"{month}没有这个热点"}])
        return {"month": month, "topics": topics, "topic": topic or "", "cases": cases}

    # -- 代表恳谈会 --------------------------------------------------------------------------
    def meeting_selection(self, user: str | Actor, month: str, *, limit: int = 10) -> dict:
        """The month's representative cases for the 代表恳谈会, with the reasons for each."""
        limit = _limit(limit, MAX_SELECTION)
        start, end = Month.parse(month).bounds()
        hotspots.prepare(self.core.settings.storage_dir.parent / "jieba")
        with self.core.uow(write=False) as uow:
            self._require(uow.session, user, ANALYSTS, "the forum selection is for the office's leadership and analysts")
            picks = selection.select_cases(uow.session, start, end, utcnow(), limit=limit)
            names = Names(uow.session)
            picks = [{**p, "region": names.region(p.get("region")) if p.get("region") else p.get("region"),
                      "unit": names.units(p.get("unit")) if p.get("unit") else p.get("unit")} for p in picks]
        return {"month": month, "limit": limit, "cases": picks}

    def meeting_selection_workbook(self, user: str | Actor, month: str, *, limit: int = 10) -> bytes:
        picks = self.meeting_selection(user, month, limit=limit)["cases"]
        return workbook([Sheet("恳谈会选案", PICK_COLUMNS, picks, title=f"{month} 代表恳谈会选案",
                               widths={"subject": 40, "reasons": 50})])

    # -- 评 ---------------------------------------------------------------------------------
    def organ_evaluation(self, user: str | Actor, period: str) -> dict:
        """Courts and procuratorates of the period, best score first, with the weights used."""
        with self.core.uow(write=False) as uow:
            self._require(uow.session, user, EVALUATION_READERS, "the unit evaluation is for the office's leadership")
            evaluation.period_bounds(period)        # who may ask first: a refused user learns nothing more
            weights = evaluation.load_weights(uow.session)
            return {"period": period, "weights": weights, "organs": evaluation.evaluate(uow.session, period, weights)}

    def organ_evaluation_workbook(self, user: str | Actor, period: str) -> bytes:
        found = self.organ_evaluation(user, period)
        weights = [{"component": k, "weight": v} for k, v in found["weights"].items()]
        return workbook([Sheet("评议", ORGAN_COLUMNS, found["organs"], title=f"{period} 法院、检察院评议",
                               widths={"organ": 24, "outcomes": 36}),
                         Sheet("权重", (("component", "指标"), ("weight", "权重")), weights)])

    def evaluation_weights(self, user: str | Actor) -> dict[str, float]:
        with self.core.uow(write=False) as uow:
            self._require(uow.session, user, EVALUATION_READERS, "the unit evaluation is for the office's leadership")
            return evaluation.load_weights(uow.session)

    def set_evaluation_weights(self, user: str | Actor, weights: dict) -> dict[str, float]:
        """Stores the weights of the score (non-negative, summing to 1); a bad set changes nothing."""
        checked = evaluation.check_weights(weights)
        with self.core.uow() as uow:
            actor = self._require(uow.session, user, EVALUATORS, "only directors, analysts and legal advisers set weights")
            evaluation.store_weights(uow.session, checked, user=actor.username, now=utcnow())
            uow.commit()
        return checked

    def import_organ_rates(self, user: str | Actor, content: bytes) -> dict:
        """Appeal and reversal rates from CSV (organ,period,appeal_rate,reversal_rate[,cases]): every
        line is checked first, and one bad line rejects the file with every bad line's number."""
        with self.core.uow(write=False) as uow:
            self._require(uow.session, user, EVALUATORS, "only directors, analysts and legal advisers import rates")
        if not isinstance(content, (bytes, bytearray)):
            raise ValidationFailed("no file")
        rows = evaluation.parse_rates(bytes(content))
        with self.core.uow() as uow:
            actor = self._analysis_actor(uow.session, user)
            count = evaluation.store_rates(uow.session, rows, user=actor.username, now=utcnow())
            uow.commit()
        return {"imported": count, "periods": sorted({r["period"] for r in rows})}


def named(found: dict, names: Names) -> dict:
    """Region codes in a hot-spot analysis as the regions' names (tallies, groups, the filter)."""
    def tally(counts: dict | None) -> dict:
        return {(names.region(k) if k else k): v for k, v in (counts or {}).items()}
    for key in ("topics", "rising", "suggestions"):
        for row in found.get(key) or []:
            if "regions" in row:
                row["regions"] = tally(row["regions"])
            if found.get("by") == "region" and row.get("group"):
                row["group"] = names.region(row["group"])
    if found.get("region"):
        found["region_name"] = names.region(found["region"])
    return found
