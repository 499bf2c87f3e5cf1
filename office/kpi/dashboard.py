"""The KPI dashboard's questions, in the shapes its pages and their .xlsx downloads need.

The figures come from KpiServices (engine/kpi_services.py), which decides who may see what;
this module parses the period the pages ask about, adds what a reader of a drill-down needs
(subject, masked petitioner, dates, unit names), turns the monthly trend into series, writes
every table with THE xlsx writer (engine/exports.py) and runs the monthly report as a web_job
(engine/jobs.py) so the browser can show its progress.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from office.kpi import figures as kpi, ledger as kpi_ledger
from office.kpi.definitions import BY_KEY as DEFINED, DEFINITIONS
from office.kpi.evidence import DUE, EVIDENCE, TEXT, case_evidence
from engine.clock import iso, utcnow
from engine.errors import Conflict, NotFound, ValidationFailed
from office.exports import Sheet, workbook
from office.kpi.service import REPORT_STEPS, _months
from office.directory import regions
from office.dates import YEARS, Month, last_day, local_midnight, local_time as on_office_clock
from engine.store.models import Case, Unit
from office.access import WITHHELD_SUBJECT, Actor, withhold_reports

log = logging.getLogger(__name__)
GROUPINGS = ("unit", "category", "region", "channel")
PER_PAGE = 50
TREND_GROUPS = 8            # lines a trend chart compares before it is unreadable
EVERY_GROUP = object()      # dashboard_trend: compare the groups instead of following one
CASES_CAP = 500             # kpi.cases_behind lists at most this many cases
REPORT_KIND = "kpi_report"
REPORT_FILES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
GROUP_TITLES = {"unit": "单位", "category": "类别", "region": "属地", "channel": "渠道"}
PART_TITLES = {"numerator": "分子", "denominator": "分母", "missed": "未达标", "pending": "未到期"}


def part_title(key: str, part: str) -> str:
    """A drill-down's name in the KPI's own words (按期办结, 超期, 观察期内…), else its class's."""
    words = DEFINED[key].words
    named = {"numerator": words.numerator, "denominator": words.denominator, "missed": words.missed,
             "pending": words.pending}
    classes = {name: label for name, label, _ in kpi.BY_KEY[key].classes}
    return named.get(part) or classes.get(part) or PART_TITLES.get(part, part)
LEDGER_TITLES = {"assigned": "交办件数", "closed_on_time": "按期办结", "closed_late": "超期办结",
                 "open_overdue": "超期未办结", "open_in_time": "在办未超期"}


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC for the local days first..last (both included); `month` when it is one."""
    start: datetime
    end: datetime
    first: date
    last: date
    month: str | None = None

    def args(self) -> dict[str, str]:
        """The query parameters that ask for this period again (links, downloads)."""
        return {"month": self.month} if self.month else {"from": self.first.isoformat(), "to": self.last.isoformat()}

    @property
    def label(self) -> str:
        return self.month or f"{self.first.isoformat()}—{self.last.isoformat()}"


def _day(value: str, field: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or "", re.ASCII):
        raise ValidationFailed(f"{field} must be a date like 2026-10-01, not {value!r}",
                               [{"field": field, "message": "not a date"}])
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field}: there is no such day as {value}",
                               [{"field": field, "message": "no such day"}]) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValidationFailed(f"{field} must lie between {YEARS[0]} and {YEARS[1]}")
    return day


def parse_period(month: str | None = None, date_from: str | None = None, date_to: str | None = None) -> Period:
    """A month ('2026-10'), or from/to local dates with the last day included; this month if none."""
    if date_from or date_to:
        if month:
            raise ValidationFailed("give either a month or from/to dates, not both")
        first, last = _day(date_from or "", "from"), _day(date_to or "", "to")
        if first > last:
            raise ValidationFailed("the period must end after it starts (from is after to)",
                                   [{"field": "to", "message": "before from"}])
        return Period(local_midnight(first), local_midnight(last + timedelta(days=1)), first, last)
    found = Month.parse(month) if month else Month.current()
    start, end = found.bounds()
    return Period(start, end, found.first_day, found.next().first_day - timedelta(days=1), str(found))


def grouping(value: str | None) -> str | None:
    if not value:
        return None
    if value not in GROUPINGS:
        raise ValidationFailed(f"unknown grouping {value!r}; use one of {', '.join(GROUPINGS)}",
                               [{"field": "by", "message": "unknown grouping"}])
    return value


class Dashboard:
    """The dashboard's pages and downloads; every figure comes through Kpi, which scopes by user."""

    def __init__(self, core, kpi, jobs):
        self.core = core
        self.kpi = kpi
        self.jobs = jobs

    def _unit_names(self, codes) -> dict[str, str]:
        wanted = sorted({c for c in codes if c})
        if not wanted:
            return {}
        with self.core.uow(write=False) as uow:
            return dict(uow.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(wanted))).all())

    def _group_names(self, by: str | None, groups) -> dict[str, str]:
        """What people read for a group: a unit's or a region's name (channels and categories are words)."""
        if by == "unit":
            return self._unit_names(groups)
        if by == "region":
            return {g: regions.name(g) for g in groups if g}
        return {}

    def dashboard_figures(self, user: str, period: Period, *, by: str | None = None) -> dict:
        """Every KPI of the period, optionally per unit/category/region/channel, with what each
        one means (its definition, words, target)."""
        figures = self.kpi.kpis(user, period.start, period.end, by=grouping(by))
        names = self._group_names(by, [f["group"] for f in figures])
        return {"period": period, "by": by, "figures": figures, "names": names, "definitions": DEFINITIONS,
                "parts": {d.key: kpi.parts(d.key) for d in DEFINITIONS},
                "flags": self.kpi.flag_counts(user, period.start, period.end),
                "referrals": self.kpi.referral_counts(user, period.start, period.end)}

    def dashboard_cases(self, user: str, key: str, period: Period, *, part: str = "numerator",
                        by: str | None = None, group: str | None = None, page: int = 1,
                        per_page: int = PER_PAGE) -> dict:
        """The cases behind one figure, a page at a time, with subject, masked petitioner and dates."""
        rows = self.kpi.kpi_cases(user, key, period.start, period.end, part=part, by=grouping(by), group=group)
        total = len(rows)
        pages = max(1, -(-total // per_page))
        if page < 1 or page > pages:
            raise ValidationFailed(f"page must be between 1 and {pages}",
                                   [{"field": "page", "message": "out of range"}])
        items = self._case_details(user, key, rows[(page - 1) * per_page: page * per_page])
        return {"key": key, "label": kpi.BY_KEY[key].label, "part": part, "part_title": part_title(key, part),
                "by": by, "group": group, "period": period, "items": items, "total": total,
                "capped": total >= CASES_CAP, "page": page, "pages": pages, "per_page": per_page,
                "columns": EVIDENCE[key]}

    def _case_details(self, user: str, key: str, rows: list[dict]) -> list[dict]:
        """Each case with its subject, masked petitioner, and what the KPI read of it (evidence);
        a report the user may not know of is counted but withheld (office/access.py)."""
        ids = [r["case_id"] for r in rows]
        with self.core.uow(write=False) as uow:
            query = select(Case.id, Case.subject, Case.petitioner, Case.stage).where(Case.id.in_(ids))
            found = {r.id: r for r in uow.session.execute(query)} if ids else {}
            evidence = case_evidence(uow.session, key, ids)
            actor = user if isinstance(user, Actor) else self.core.actor(uow.session, user)
            hidden = {r["case_id"] for r in withhold_reports(uow.session, actor,
                                                             [{"case_id": i, "subject": ""} for i in ids])
                      if r["subject"] == WITHHELD_SUBJECT}
        names = self._unit_names(r["unit"] for r in rows)
        items = []
        for row in rows:
            extra, read = found.get(row["case_id"]), evidence.get(row["case_id"], {})
            if row["case_id"] in hidden:
                extra, row = None, {**row, "reg_no": ""}
            items.append({**row, "unit_name": names.get(row["unit"], row["unit"]),
                          "subject": WITHHELD_SUBJECT if row["case_id"] in hidden else (extra.subject if extra else ""),
                          "petitioner": extra.petitioner if extra else "", "stage": extra.stage if extra else None,
                          "registered_at": iso(read.get("registered_at")),
                          **{c.field: read.get(c.field) if c.kind == TEXT else iso(read.get(c.field))
                             for c in EVIDENCE[key]}})
        return items

    def dashboard_trend(self, user: str, first: str, last: str, keys: list[str] | None = None, *,
                        by: str | None = None, group: str | None = EVERY_GROUP) -> dict:
        """Month by month (rate, numerator, denominator). Without `by`: one series per KPI, `keys`
        first. With `by` and one `group` (None: the cases without a value): the same for that
        group. With `by` and EVERY_GROUP: the first KPI compared across the groups, the largest
        (by denominator over the months) first, at most TREND_GROUPS of them."""
        for value, field in ((first, "from_month"), (last, "to_month")):
            Month.parse(value, field)
        unknown = [k for k in keys or () if k not in kpi.BY_KEY]
        if unknown:
            raise ValidationFailed(f"unknown KPI {unknown[0]!r}", [{"field": "kpi", "message": "unknown"}])
        by = grouping(by)
        months = _months(first, last)
        rows = self.kpi.kpi_trend(user, first, last, by=by)
        chosen = list(dict.fromkeys(keys)) if keys else ["timely_acceptance", "on_time_closure", "satisfaction"]
        groups = sorted({r["group"] for r in rows}, key=lambda g: (g is None, str(g))) if by else []
        names = self._group_names(by, groups)
        compare = bool(by) and group is EVERY_GROUP
        if by and not compare:
            rows = [r for r in rows if r["group"] == group]
        series: dict[tuple, dict] = {}
        at = {month: i for i, month in enumerate(months)}
        for row in rows:
            if row["key"] not in (chosen[:1] if compare else chosen):
                continue
            grp = row["group"] if by else None
            label = (names.get(grp, grp) if grp is not None else "未分配") if compare else row["label"]
            item = series.setdefault((row["key"], grp), {    # a month without the group's cases stays empty
                "id": f"{row['key']}@{grp}" if compare else row["key"], "key": row["key"], "label": label,
                "group": grp, "rate": [None] * len(months), "numerator": [0] * len(months),
                "denominator": [0] * len(months)})
            for field in ("rate", "numerator", "denominator"):
                item[field][at[row["month"]]] = row[field]
        if compare:
            ranked = sorted(series.values(), key=lambda s: -sum(s["denominator"]))[:TREND_GROUPS]
        else:
            ranked = [series[(k, group if by else None)] for k in chosen if (k, group if by else None) in series]
        return {"months": months, "first": first, "last": last, "chosen": chosen, "by": by,
                "group": None if compare else group, "compare": compare, "series": ranked,
                "groups": [{"value": g, "name": names.get(g, g) if g is not None else "未分配"} for g in groups]}

    def dashboard_ledger(self, user: str, period: Period) -> dict:
        """The 交办督办 ledger (per unit, then the total row) with the units' names."""
        rows = self.kpi.overdue_ledger(user, period.start, period.end)
        names = self._unit_names(r["unit"] for r in rows)
        return {"period": period, "columns": kpi_ledger.COLUMNS,
                "rows": [{**r, "unit_name": names.get(r["unit"], r["unit"]) if r["unit"] else None} for r in rows]}

    def dashboard_ledger_cases(self, user: str, period: Period, unit: str | None, column: str, *,
                               page: int = 1, per_page: int = PER_PAGE) -> dict:
        result = self.kpi.ledger_cases(user, unit, column, period.start, period.end, page=page, per_page=per_page)
        names = self._unit_names([unit, *(i["unit"] for i in result["items"])])
        for item in result["items"]:
            item["unit_name"] = names.get(item["unit"], item["unit"])
        return {**result, "period": period, "unit": unit, "unit_name": names.get(unit, unit), "column": column}

    # -- downloads ------------------------------------------------------------------------------
    def dashboard_export(self, user: str, table: str, period: Period | None = None, **params) -> dict:
        """One page's table as .xlsx: {filename, content}. `params` are the page's own arguments."""
        writers = {"figures": self._figures_book, "cases": self._cases_book, "trend": self._trend_book,
                   "ledger": self._ledger_book, "ledger_cases": self._ledger_cases_book}
        if table not in writers:
            raise NotFound(f"no table {table!r} to download")
        name, sheets = writers[table](user, period, **params)
        return {"filename": f"{name}.xlsx", "content": workbook(sheets)}

    def _figures_book(self, user: str, period: Period, *, by: str | None = None) -> tuple[str, list[Sheet]]:
        data = self.dashboard_figures(user, period, by=by)
        rows = [{**f, "group": (data["names"].get(f["group"], f["group"]) or "未分配") if by else "全部",
                 "target": DEFINED[f["key"]].target_text} for f in data["figures"]]
        title = f"{period.label} 信访工作指标" + (f"（按{GROUP_TITLES[by]}）" if by else "")
        return f"指标-{period.label}", [Sheet("指标", FIGURE_COLUMNS, rows, title=title, widths={"label": 20})]

    def _cases_book(self, user: str, period: Period, *, key: str, part: str = "numerator", by: str | None = None,
                    group: str | None = None) -> tuple[str, list[Sheet]]:
        data = self.dashboard_cases(user, key, period, part=part, by=by, group=group, per_page=CASES_CAP)
        title = f"{period.label} {data['label']} {data['part_title']}" + (f"（{group}）" if by else "") + \
            ("（仅列前 %d 件）" % CASES_CAP if data["capped"] else "")
        columns = CASE_COLUMNS + tuple((c.field, c.label) for c in EVIDENCE[key])
        return f"案件-{key}-{period.label}", [Sheet("案件", columns, map(_local_dates, data["items"]),
                                                   title=title, widths={"subject": 30, "reg_no": 24})]

    def _trend_book(self, user: str, period: Period | None, *, first: str, last: str,
                    keys: list[str] | None = None, by: str | None = None,
                    group: str | None = EVERY_GROUP) -> tuple[str, list[Sheet]]:
        data = self.dashboard_trend(user, first, last, keys, by=by, group=group)
        columns, rows = [("month", "月份")], [{"month": m} for m in data["months"]]
        for s in data["series"]:
            columns += [(f"{s['id']}.{f}", f"{s['label']}{title}") for f, title in
                        (("rate", "（%）"), ("numerator", "分子"), ("denominator", "分母"))]
            for row, *values in zip(rows, s["rate"], s["numerator"], s["denominator"]):
                row.update({f"{s['id']}.{f}": v for f, v in zip(("rate", "numerator", "denominator"), values)})
        return f"月度趋势-{first}-{last}", [Sheet("月度趋势", columns, rows, title=f"{first}—{last} 月度趋势")]

    def _ledger_book(self, user: str, period: Period) -> tuple[str, list[Sheet]]:
        data = self.dashboard_ledger(user, period)
        rows = [{**r, "unit_name": r["unit_name"] or "合计"} for r in data["rows"]]
        return f"交办督办台账-{period.label}", [Sheet("台账", LEDGER_COLUMNS, rows,
                                                    title=f"{period.label} 交办督办台账", widths={"unit_name": 24})]

    def _ledger_cases_book(self, user: str, period: Period, *, unit: str | None,
                           column: str) -> tuple[str, list[Sheet]]:
        page, items = 1, []
        while True:
            data = self.dashboard_ledger_cases(user, period, unit, column, page=page, per_page=200)
            items += data["items"]
            if page >= data["pages"]:
                break
            page += 1
        title = f"{period.label} 交办督办台账 {data['unit_name'] or '合计'} {LEDGER_TITLES[column]}"
        items = [{**i, "state": STATE_TITLES.get(i["state"], i["state"])} for i in items]
        return f"台账案件-{column}-{period.label}", [Sheet("案件", LEDGER_CASE_COLUMNS, map(_local_dates, items),
                                                          title=title, widths={"subject": 30, "reg_no": 24})]

    # -- the monthly report, as a background job ----------------------------------------------------
    def start_kpi_report(self, user: str, month: str, *, wait: bool = False) -> dict:
        """Writes the month's report (.xlsx and .docx, engine/kpi_report.py) in a thread; returns the
        job to poll at /jobs/<id>. Refused at once to users who may not see figures."""
        Month.parse(month)
        with self.core.uow(write=False) as uow:
            self.kpi.scope(uow.session, user)
        return self.jobs.start_job(REPORT_KIND, user, REPORT_STEPS, self._run_kpi_report, user, month, wait=wait)

    def _run_kpi_report(self, job_id: str, user: str, month: str) -> None:
        """One step per grouping, then one per file, so the bar moves while the figures are counted."""
        try:
            files = self.kpi.kpi_report(user, month, progress=lambda done: self.jobs.progress(job_id, done=done))
            self.jobs.export_dir.mkdir(parents=True, exist_ok=True)
            for fmt, content in files.items():
                (self.jobs.export_dir / f"{job_id}.{fmt}").write_bytes(content)
            self.jobs.progress(job_id, done=REPORT_STEPS, status="done", message=month,
                           result_name=f"{job_id}.xlsx", finished_at=utcnow())
        except Exception as err:  # the job records the failure; the thread must not die silently
            log.exception("monthly report %s failed", job_id)
            self.jobs.progress(job_id, status="failed", message=str(err)[:500], finished_at=utcnow())

    def kpi_report_file(self, job_id: str, fmt: str, *, user: str) -> dict:
        """{path, filename, mimetype} of a finished report's .xlsx or .docx (its owner only)."""
        job = self.jobs.job_status(job_id, user=user)
        if job["kind"] != REPORT_KIND or fmt not in REPORT_FILES:
            raise NotFound(f"no report file {job_id}.{fmt}")
        if job["status"] != "done":
            raise Conflict(f"report {job_id} is {job['status']}")
        return {"path": str(Path(self.jobs.export_dir) / f"{job_id}.{fmt}"), "mimetype": REPORT_FILES[fmt],
                "filename": f"信访工作月报-{job['message']}.{fmt}"}


FIGURE_COLUMNS = (("group", "分组"), ("label", "指标"), ("rate", "比率（%）"), ("numerator", "分子（件次）"),
                  ("denominator", "分母（件次）"), ("persons_numerator", "分子（人次）"),
                  ("persons_denominator", "分母（人次）"), ("pending", "未到期（件次，不计入比率）"),
                  ("missed", "未达标（件次）"), ("target", "目标"), ("verdict", "判定"))
CASE_COLUMNS = (("reg_no", "登记号"), ("subject", "事由"), ("petitioner", "信访人"), ("unit_name", "单位"),
                ("role", "主办/协办"), ("category", "类别"), ("channel", "渠道"), ("registered_at", "登记时间"))
LEDGER_COLUMNS = (("unit_name", "单位"), *LEDGER_TITLES.items())
LEDGER_CASE_COLUMNS = (("reg_no", "登记号"), ("subject", "事由"), ("petitioner", "信访人"), ("unit_name", "单位"),
                       ("role", "主办/协办"), ("routed_at", "交办时间"), ("due", "办理期限"), ("done_at", "办结时间"),
                       ("state", "状态"))
STATE_TITLES = {"closed": "已答复办结", "overdue": "超期未办结", "open": "在办"}
DUE_FIELDS = ("due",) + tuple(sorted({c.field for cs in EVIDENCE.values() for c in cs if c.kind == DUE}))
DATE_FIELDS = ("registered_at", "routed_at", "done_at", "due") + tuple(sorted(
    {c.field for cs in EVIDENCE.values() for c in cs if c.kind != TEXT}))


def local_time(value: str | datetime | None, due: bool = False) -> str:
    """Beijing time; a deadline at local midnight reads as 24:00 of its last day (docs/domain.md §2.1)."""
    if not value:
        return ""
    if due:
        return f"{last_day(value).isoformat()} 24:00"
    return on_office_clock(value).strftime("%Y-%m-%d %H:%M")


def _local_dates(item: dict) -> dict:
    """Instants as Beijing time, the way the pages show them."""
    return {**item, **{k: local_time(item[k], k in DUE_FIELDS) for k in DATE_FIELDS if item.get(k)}}
