"""The task inbox: views, filters, saved filters, claim/assign/delegate, bulk reassign, export."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from office.inbox.service import FILTER_KEYS

from .app import flag_param, get_services, int_param
from .auth import username
from .security import safe_next

bp = Blueprint("inbox", __name__)


def request_filters() -> dict:
    return {k: request.args.get(k) for k in FILTER_KEYS if request.args.get(k) not in (None, "")}


def _back():
    return redirect(safe_next(request.form.get("next")))


@bp.get("/inbox")
@login_required
def index():
    svc = get_services()
    page_no = int_param(request.args.get("page"), "page", 1)
    filter_id = request.args.get("filter_id")
    count = flag_param(request.args.get("count"), "count")     # the total of a long list: when asked
    if filter_id:
        result = svc.inbox.run_filter(int_param(filter_id, "filter_id"), user=username(), page=page_no, count=count)
    else:
        result = svc.inbox.inbox(user=username(), filters=request_filters(), page=page_no, count=count)
    return render_template("inbox.html", result=result, filters=result["filters"],
                           saved=svc.inbox.list_filters(user=username()), filter_id=filter_id,
                           units=svc.directory.units(user=username()),
                           online_pending=svc.online.pending_count(user=username()))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    get_services().inbox.claim_task(task_id, user=username())
    return _back()


@bp.post("/tasks/<task_id>/unclaim")
@login_required
def unclaim(task_id: str):
    get_services().inbox.unclaim_task(task_id, user=username())
    return _back()


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    get_services().inbox.assign_task(task_id, request.form.get("assignee", "").strip(), user=username())
    return _back()


@bp.post("/tasks/<task_id>/delegate")
@login_required
def delegate(task_id: str):
    get_services().inbox.delegate_task(task_id, request.form.get("delegate", "").strip(), user=username())
    flash(_("已委托"))
    return _back()


@bp.post("/tasks/<task_id>/resolve")
@login_required
def resolve(task_id: str):
    get_services().inbox.resolve_task(task_id, user=username(), note=request.form.get("note", ""))
    flash(_("已交回委托人"))
    return redirect(url_for("inbox.index"))


@bp.post("/inbox/reassign")
@login_required
def bulk_reassign():
    results = get_services().inbox.bulk_reassign(request.form.getlist("task_ids"), request.form.get("assignee", "").strip(),
                                           user=username())
    ok = sum(1 for r in results if r["ok"])
    flash(_("已改派 %(ok)d 件，失败 %(failed)d 件", ok=ok, failed=len(results) - ok))
    for failure in (r for r in results if not r["ok"]):
        flash(f"{failure['id']}: {failure['error']}", "error")
    return _back()


@bp.post("/inbox/filters")
@login_required
def save_filter():
    query = {k: request.form.get(k) for k in FILTER_KEYS if request.form.get(k)}
    saved = get_services().inbox.save_filter(user=username(), name=request.form.get("name", ""), query=query,
                                       share_with=request.form.get("share_with") or None)
    return redirect(url_for("inbox.index", filter_id=saved["id"]))


@bp.post("/inbox/filters/<id:filter_id>/delete")
@login_required
def delete_filter(filter_id: int):
    get_services().inbox.delete_filter(filter_id, user=username())
    return redirect(url_for("inbox.index"))


@bp.post("/inbox/export")
@login_required
def export():
    query = {k: request.form.get(k) for k in FILTER_KEYS if request.form.get(k)}
    job = get_services().jobs.start_inbox_export(user=username(), filters=query)
    return job, 202


@bp.get("/jobs/<job_id>")
@login_required
def job(job_id: str):
    return get_services().jobs.job_status(job_id, user=username())


@bp.get("/jobs/<job_id>/download")
@login_required
def job_download(job_id: str):
    result = get_services().jobs.job_result(job_id, user=username())
    try:
        return send_file(result["path"], mimetype="text/csv", as_attachment=True, download_name=result["filename"])
    except FileNotFoundError:
        abort(404)
