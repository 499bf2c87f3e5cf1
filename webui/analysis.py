"""Analysis pages: 热点分析, 恳谈会选案 and 评议, each table also as .xlsx (the services check who may)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from office.access import ANALYSTS
from engine.errors import ValidationFailed
from office.analysis.evaluation import COMPONENTS
from office.dates import Month

from .app import get_services, int_param
from .auth import username

bp = Blueprint("analysis", __name__, url_prefix="/analysis")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def this_month() -> str:
    return str(Month.current())


def hotspot_options() -> dict:
    args = request.args
    return {"months": int_param(args.get("months"), "months", 1), "by": args.get("by") or None,
            "region": args.get("region") or None, "organ": args.get("organ") or None,
            "limit": int_param(args.get("limit"), "limit", 10)}


def _xlsx(content: bytes, name: str) -> Response:
    disposition = f"attachment; filename=\"{name.encode('ascii', 'ignore').decode() or 'export'}.xlsx\"; " \
                  f"filename*=UTF-8''{quote(name)}.xlsx"
    return Response(content, mimetype=XLSX, headers={"Content-Disposition": disposition,
                                                    "Cache-Control": "private, no-store"})


@bp.get("/")
@login_required
def index():
    """Legal advisers work on 评 only; everyone else starts with the hot spots."""
    if set(current_user.groups) & ANALYSTS or "legal_advisor" not in current_user.groups:
        return redirect(url_for("analysis.hotspots"))
    return redirect(url_for("analysis.evaluation"))


@bp.get("/hotspots")
@login_required
def hotspots():
    month = request.args.get("month") or this_month()
    found = get_services().analysis.hotspot_analysis(username(), month, **hotspot_options())
    return render_template("analysis_hotspots.html", found=found, chart=_chart(found["topics"]), options=request.args)


def _chart(rows: list[dict], bars: int = 15) -> list[dict]:
    """The biggest topics, their groups (regions or organs) added together."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["topic"]] = counts.get(row["topic"], 0) + row["count"]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0]))[:bars]
    return [{"topic": topic or _("其他"), "count": count} for topic, count in ranked]


@bp.get("/hotspots.xlsx")
@login_required
def hotspots_xlsx():
    month = request.args.get("month") or this_month()
    content = get_services().analysis.hotspot_workbook(username(), month, **hotspot_options())
    return _xlsx(content, f"热点分析-{month}")


@bp.get("/selection")
@login_required
def selection():
    month = request.args.get("month") or this_month()
    limit = int_param(request.args.get("limit"), "limit", 10)
    return render_template("analysis_selection.html", found=get_services().analysis.meeting_selection(username(), month,
                                                                                               limit=limit))


@bp.get("/selection.xlsx")
@login_required
def selection_xlsx():
    month = request.args.get("month") or this_month()
    limit = int_param(request.args.get("limit"), "limit", 10)
    return _xlsx(get_services().analysis.meeting_selection_workbook(username(), month, limit=limit), f"恳谈会选案-{month}")


def evaluation_period() -> str:
    return request.args.get("period") or str(Month.current().year)


def _evaluation_page(period: str, *, errors: list | None = None, message: str = "", weights: dict | None = None,
                     status: int = 200):
    found = get_services().analysis.organ_evaluation(username(), period)
    return render_template("analysis_evaluation.html", found=found, components=COMPONENTS, errors=errors or [],
                           message=message, weights=weights or found["weights"]), status


@bp.get("/evaluation")
@login_required
def evaluation():
    return _evaluation_page(evaluation_period())


@bp.get("/evaluation.xlsx")
@login_required
def evaluation_xlsx():
    period = evaluation_period()
    return _xlsx(get_services().analysis.organ_evaluation_workbook(username(), period), f"评议-{period}")


@bp.post("/evaluation/rates")
@login_required
def import_rates():
    """A rejected file shows every bad line on the page again (400), and nothing is stored."""
    period = request.form.get("period") or evaluation_period()
    upload = request.files.get("file")
    try:
        result = get_services().analysis.import_organ_rates(username(), upload.read() if upload else b"")
    except ValidationFailed as err:
        return _evaluation_page(period, errors=err.details if isinstance(err.details, list) else [],
                                message=err.message, status=400)
    flash(_("已导入 %(n)d 行：%(periods)s", n=result["imported"], periods="、".join(result["periods"])))
    return redirect(url_for("analysis.evaluation", period=period))


@bp.post("/evaluation/weights")
@login_required
def save_weights():
    period = request.form.get("period") or evaluation_period()
    weights = {name: request.form.get(name, "") for name in COMPONENTS}
    try:
        get_services().analysis.set_evaluation_weights(username(), weights)
    except ValidationFailed as err:
        return _evaluation_page(period, message=err.message, weights=weights, status=400)
    flash(_("权重已保存"))
    return redirect(url_for("analysis.evaluation", period=period))


@bp.app_template_filter("tally")
def tally(value: dict | None, most: int = 5) -> str:
    """{'R1': 3, 'R2': 1} -> 'R1 3、R2 1' (an empty key is shown as —); past `most` entries the
    rest is only counted, so a topic spread over 30 regions keeps its row short."""
    items = list((value or {}).items())
    shown = "、".join(f"{k or '—'} {v}" for k, v in items[:most])
    return shown + (f" … (+{len(items) - most})" if len(items) > most else "")

