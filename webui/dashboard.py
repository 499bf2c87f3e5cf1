"""指标看板: KPI figures with charts, the cases behind each figure, monthly trends, the 交办督办
ledger, their .xlsx downloads and the monthly report as a background job.

Views parse the query string and call one service (engine/dashboard_exports.py, over
engine/kpi_services.py), which decides who may see which figures: unit staff get their own
unit's, users without the right get 403, bad parameters a 400 page naming the problem.
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file, url_for
from flask_babel import get_locale, lazy_gettext as _l, lazy_pgettext
from flask_login import login_required

from office.dates import Month
from office.kpi.dashboard import GROUPINGS, Period, parse_period
from office.kpi.definitions import BY_KEY as DEFINED

from .app import get_services, int_param, last_day_label
from .auth import username

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

KPI_LABELS = {
    "timely_acceptance": _l("及时受理率"), "unit_timely_acceptance": _l("及时受理率（单位）"),
    "on_time_closure": _l("按期办结率"), "evaluation_rate": _l("参评率"), "satisfaction": _l("满意率"),
    "unit_satisfaction": _l("满意率（单位）"), "repeat_rate": _l("重复信访率"),
    "first_time_resolution": _l("一次性化解率"), "backlog_resolution": _l("积案化解率"),
    "key_case_resolution": _l("包案化解率"), "online_share": _l("网信占比"),
}
PART_LABELS = {"numerator": _l("分子"), "denominator": _l("分母"), "missed": _l("未达标"), "pending": _l("未到期"),
               "accepted_late": _l("超期受理"), "not_accepted": _l("超期未受理"), "signed_late": _l("超期签收"),
               "not_signed": _l("超期未签收"), "closed_late": _l("超期办结"), "open_overdue": _l("超期未办结")}
CLASS_PARTS = {"超期受理": "accepted_late", "超期未受理": "not_accepted", "超期签收": "signed_late",
               "超期未签收": "not_signed", "超期办结": "closed_late", "超期未办结": "open_overdue"}
CLASS_LABELS = {"及时": _l("及时"), "按时签收": _l("按时签收"), "按期办结": _l("按期办结"), "超期受理": _l("超期受理"),
                "超期未受理": _l("超期未受理"), "超期签收": _l("超期签收"), "超期未签收": _l("超期未签收"),
                "超期办结": _l("超期办结"), "超期未办结": _l("超期未办结"), "未到期": _l("未到期")}
VERDICT_LABELS = {"达标": _l("达标"), "未达标": lazy_pgettext("verdict", "未达标"), "超出": _l("超出")}
EVIDENCE_LABELS = {"受理期限": _l("受理期限"), "受理/告知时间": _l("受理/告知时间"), "签收时间": _l("签收时间"),
                   "签收期限": _l("签收期限"), "办理期限": _l("办理期限"), "办结（答复送达）": _l("办结（答复送达）"),
                   "评价期限": _l("评价期限"), "评价时间": _l("评价时间"), "对信访办的评价": _l("对信访办的评价"),
                   "对承办单位的评价": _l("对承办单位的评价"), "主件": _l("主件"), "观察期至": _l("观察期至"),
                   "再次信访": _l("再次信访"), "化解情况": _l("化解情况"), "化解时间": _l("化解时间")}
GROUP_LABELS = {"": _l("不分组"), "unit": _l("按单位"), "category": _l("按类别"), "region": _l("按属地"),
                "channel": _l("按渠道")}
LEDGER_LABELS = {"assigned": _l("交办件数"), "closed_on_time": _l("按期办结"), "closed_late": _l("超期办结"),
                 "open_overdue": _l("超期未办结"), "open_in_time": _l("在办未超期")}
STATE_LABELS = {"closed": _l("单位办理完毕"), "overdue": _l("超期未办结"), "open": _l("在办")}
TREND_MONTHS = 6


@bp.context_processor
def labels() -> dict:
    return {"KPI_LABELS": KPI_LABELS, "PART_LABELS": PART_LABELS, "CLASS_PARTS": CLASS_PARTS,
            "CLASS_LABELS": CLASS_LABELS, "GROUP_LABELS": GROUP_LABELS, "LEDGER_LABELS": LEDGER_LABELS,
            "STATE_LABELS": STATE_LABELS, "GROUPINGS": GROUPINGS, "kpi_label": _kpi_label, "same_query": same_query,
            "VERDICT_LABELS": VERDICT_LABELS, "EVIDENCE_LABELS": EVIDENCE_LABELS, "reading": reading,
            "part_label": part_label}


def _english() -> bool:
    return str(get_locale()) == "en"


def reading(key: str) -> dict:
    """How to read a KPI, in the page's language: its words, definition and target."""
    defined = DEFINED[key]
    english = _english()
    return {"words": defined.words_en if english else defined.words, "target": defined.target_text,
            "text": defined.text_en if english else defined.text,
            "label": defined.label_en if english else defined.label}


def part_label(key: str, part: str) -> str:
    """A drill-down's name in the KPI's own words (按期办结, 超期, 观察期内…)."""
    words = reading(key)["words"]
    named = {"numerator": words.numerator, "denominator": words.denominator, "missed": words.missed,
             "pending": words.pending}
    return named.get(part) or str(PART_LABELS.get(part, part))


def same_query(**changes) -> dict:
    """This page's query string for url_for, with `changes`; names url_for itself takes
    (endpoint, table, _external…) are dropped, so a crafted query cannot break the links."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items()
            if k not in ("endpoint", "table", "values") and not k.startswith("_")}
    args.update(changes)
    return args


@bp.app_template_filter("due_time")
def due_time(value) -> str:
    """A deadline as its last day (the one rule, office.dates), not as 00:00 of the next day."""
    return last_day_label(value)


def _kpi_label(key: str, fallback: str = "") -> str:
    return str(KPI_LABELS.get(key, fallback or key))


def _period() -> Period:
    args = request.args
    return parse_period(args.get("month") or None, args.get("from") or None, args.get("to") or None)


def _group() -> str | None:
    """`group` absent is the rows without a value (e.g. cases not sent to any unit)."""
    return request.args.get("group") if "group" in request.args else None


def _page() -> int:
    return int_param(request.args.get("page"), "page", 1)


@bp.get("")
@login_required
def index():
    period = _period()
    data = get_services().dashboard.dashboard_figures(username(), period, by=request.args.get("by") or None)
    chart = [{"key": f["key"], "label": _kpi_label(f["key"], f["label"]), "group": f["group"],
              "group_name": _group_name(data, f["group"]), "rate": f["rate"],
              "url": _cases_url(f, "numerator", data["by"], period)} for f in data["figures"]]
    return render_template("dashboard_index.html", data=data, period=period, chart=chart,
                           group_name=lambda g: _group_name(data, g),
                           cases_url=lambda f, part: _cases_url(f, part, data["by"], period))


def _group_name(data: dict, group) -> str:
    if not data["by"]:
        return ""
    return data["names"].get(group, group) if group is not None else str(_l("未分配"))


def _cases_url(figure: dict, part: str, by: str | None, period: Period) -> str:
    group = {"group": figure["group"]} if by and figure["group"] is not None else {}
    return url_for("dashboard.cases", key=figure["key"], part=part, by=by, **group, **period.args())


@bp.get("/cases")
@login_required
def cases():
    period, args = _period(), request.args
    data = get_services().dashboard.dashboard_cases(username(), args.get("key", ""), period, part=args.get("part") or "numerator",
                                          by=args.get("by") or None, group=_group(), page=_page())
    return render_template("dashboard_cases.html", data=data, period=period)


@bp.get("/trend")
@login_required
def trend():
    first, last = _months()
    data = get_services().dashboard.dashboard_trend(username(), first, last, request.args.getlist("kpi") or None,
                                          **_trend_grouping())
    for series in data["series"]:
        if not data["compare"]:
            series["label"] = _kpi_label(series["key"], series["label"])
        elif series["group"] is None:
            series["label"] = str(_l("未分配"))
    for option in data["groups"]:
        if option["value"] is None:
            option["name"] = str(_l("未分配"))
    return render_template("dashboard_trend.html", data=data)


def _trend_grouping() -> dict:
    """`by` alone compares the groups (group "*" or absent); `group=` (empty) follows the cases
    without a value; any other group follows that one."""
    args = request.args
    by = args.get("by") or None
    if not by or args.get("group", "*") == "*":
        return {"by": by}
    return {"by": by, "group": args.get("group") or None}


def _months() -> tuple[str, str]:
    args = request.args
    return args.get("from_month") or str(Month.current().shift(1 - TREND_MONTHS)), args.get("to_month") or str(Month.current())


@bp.get("/ledger")
@login_required
def ledger():
    period = _period()
    data = get_services().dashboard.dashboard_ledger(username(), period)
    return render_template("dashboard_ledger.html", data=data, period=period)


@bp.get("/ledger/cases")
@login_required
def ledger_cases():
    period = _period()
    data = get_services().dashboard.dashboard_ledger_cases(username(), period, request.args.get("unit") or None,
                                                 request.args.get("column", ""), page=_page())
    return render_template("dashboard_ledger_cases.html", data=data, period=period)


@bp.get("/export/<table>.xlsx")
@login_required
def export(table: str):
    """Every table of these pages as .xlsx, asked with the page's own query string."""
    args = request.args
    params = {
        "figures": lambda: {"by": args.get("by") or None},
        "cases": lambda: {"key": args.get("key", ""), "part": args.get("part") or "numerator",
                          "by": args.get("by") or None, "group": _group()},
        "trend": lambda: dict(zip(("first", "last"), _months()), keys=args.getlist("kpi") or None,
                              **_trend_grouping()),
        "ledger": lambda: {},
        "ledger_cases": lambda: {"unit": args.get("unit") or None, "column": args.get("column", "")},
    }
    if table not in params:
        abort(404)
    period = None if table == "trend" else _period()
    result = get_services().dashboard.dashboard_export(username(), table, period, **params[table]())
    return send_file(BytesIO(result["content"]), as_attachment=True, download_name=result["filename"],
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/report")
@login_required
def report():
    """Starts the monthly report; the page polls /jobs/<id> (webui/inbox.py) for its progress."""
    job = get_services().dashboard.start_kpi_report(username(), request.form.get("month", ""))
    return job, 202


@bp.get("/report/<job_id>.<fmt>")
@login_required
def report_file(job_id: str, fmt: str):
    result = get_services().dashboard.kpi_report_file(job_id, fmt, user=username())
    try:
        return send_file(result["path"], mimetype=result["mimetype"], as_attachment=True,
                         download_name=result["filename"])
    except FileNotFoundError:
        abort(404)
