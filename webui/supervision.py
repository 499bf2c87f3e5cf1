"""Supervision on the web: the lists (领导督办清单, 挂牌督办), the acts recorded on a case page, the
ledger (督办台账) with its .xlsx, and the meetings (交办督办会, 调度会)."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from office.supervision.backlog import SOURCES
from office.supervision.ledger import MEETINGS, METHODS

from .app import get_services
from .auth import username

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.get("/leader")
@login_required
def leader():
    return _listing("leader")


@bp.get("/hanging")
@login_required
def hanging():
    return _listing("hanging")


def _listing(name: str):
    show_all = request.args.get("all") == "1"
    items = get_services().supervision.listed(name, user=username(), include_lifted=show_all)
    return render_template("supervision_list.html", name=name, items=items, show_all=show_all)


@bp.post("/listings/<id:listing_id>/lift")
@login_required
def lift(listing_id: int):
    row = get_services().supervision.lift(listing_id, user=username(), note=request.form.get("note", "")[:2000])
    return redirect(url_for(f"supervision.{row['list']}"))


@bp.post("/cases/<id:case_id>")
@login_required
def record(case_id: int):
    form = request.form
    get_services().supervision_ledger.record_action(
        case_id, user=username(), method=form.get("method", ""), unit=form.get("unit", ""),
        outcome=form.get("outcome", ""), note=form.get("note", ""), acted_on=form.get("acted_on") or None)
    flash(_("督办已记录"))
    return redirect(url_for("cases.show", case_id=case_id) + "#supervision")


def _filters() -> dict:
    return {k: request.args.get(k) for k in ("method", "since", "until") if request.args.get(k)}


@bp.get("/ledger")
@login_required
def ledger():
    filters = _filters()
    items = get_services().supervision_ledger.entries(user=username(), **filters)
    return render_template("supervision_ledger.html", items=items, filters=filters, methods=METHODS,
                           meetings=MEETINGS)


@bp.get("/ledger.xlsx")
@login_required
def ledger_xlsx():
    content = get_services().supervision_ledger.ledger_xlsx(user=username(), **_filters())
    return send_file(io.BytesIO(content), as_attachment=True, download_name="督办台账.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/meetings")
@login_required
def meeting():
    """`decisions`: one line per case, its 信访件编号 then the decision."""
    services = get_services()
    decisions = []
    for line in request.form.get("decisions", "").splitlines()[:200]:
        reg_no, _sep, decision = line.strip().partition(" ")
        if reg_no:
            decisions.append({"case_id": services.supervision_ledger.case_id_of(reg_no, user=username()),
                              "decision": decision.strip()})
    services.supervision_ledger.record_meeting(user=username(), kind=request.form.get("kind", ""),
                                               held_on=request.form.get("held_on", ""),
                                               title=request.form.get("title", ""), decisions=decisions)
    flash(_("会议已记录"))
    return redirect(url_for("supervision.ledger"))


@bp.post("/cases/<id:case_id>/leader")
@login_required
def assign_leader(case_id: int):
    get_services().key_cases.assign(case_id, user=username(), leader=request.form.get("leader", ""),
                                    reason=request.form.get("reason", ""))
    flash(_("已确定包案领导"))
    return redirect(url_for("cases.show", case_id=case_id) + "#supervision")


@bp.post("/cases/<id:case_id>/instructions")
@login_required
def instruct(case_id: int):
    get_services().key_cases.instruct(case_id, user=username(), text=request.form.get("text", ""))
    flash(_("批示已送承办单位答复"))
    return redirect(url_for("cases.show", case_id=case_id) + "#supervision")


@bp.get("/my-cases")
@login_required
def my_cases():
    return render_template("supervision_my_cases.html", items=get_services().key_cases.my_cases(user=username()))


@bp.get("/backlog")
@login_required
def backlog():
    state = request.args.get("state") or None
    found = get_services().backlog.ledger(user=username(), state=state)
    return render_template("supervision_backlog.html", found=found, state=state, sources=SOURCES,
                           outcomes=("已化解", "部分化解", "未化解"))


@bp.get("/backlog.xlsx")
@login_required
def backlog_xlsx():
    content = get_services().backlog.ledger_xlsx(user=username(), state=request.args.get("state") or None)
    return send_file(io.BytesIO(content), as_attachment=True, download_name="积案台账.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/backlog")
@login_required
def list_backlog():
    """Lists a case, named by its 信访件编号, as 积案."""
    services, form = get_services(), request.form
    case_id = services.supervision_ledger.case_id_of(form.get("reg_no", ""), user=username())
    services.backlog.list_case(case_id, user=username(), source=form.get("source", ""),
                               listed_on=form.get("listed_on") or None, note=form.get("note", ""))
    flash(_("已列入积案"))
    return redirect(url_for("supervision.backlog"))


@bp.post("/backlog/<id:listing_id>/resolve")
@login_required
def resolve_backlog(listing_id: int):
    form = request.form
    get_services().backlog.resolve(listing_id, user=username(), outcome=form.get("outcome", ""),
                                   note=form.get("note", ""), resolved_on=form.get("resolved_on") or None)
    flash(_("积案化解已记录"))
    return redirect(url_for("supervision.backlog"))


@bp.post("/cases/<id:case_id>/joint")
@login_required
def joint_meeting(case_id: int):
    """A 联席会议/协调会: the units that took part (checked) and, for each, its share (`duty_<unit>`);
    a unit with a share gets a task."""
    form = request.form
    units = form.getlist("units")[:50]
    duties = [{"unit": u, "duty": form.get(f"duty_{u}", "")} for u in units if form.get(f"duty_{u}", "").strip()]
    get_services().joint_meetings.record_meeting(case_id, user=username(), kind=form.get("kind", ""),
                                                 held_on=form.get("held_on", ""), units=units,
                                                 decision=form.get("decision", ""), duties=duties)
    flash(_("会议已记录，任务已分派"))
    return redirect(url_for("cases.show", case_id=case_id) + "#supervision")
