"""The 代表恳谈会 on the web (the office's leadership and analysts): the meetings, recording one from
the month's selection, each deputy's opinion per case, follow-up tasks to units, and the minutes
(.docx). Thin views over office.deputies.meetings; the service checks who may and what is valid."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.clock import utcnow
from engine.errors import ValidationFailed
from office.dates import local_time

from ..app import get_services, int_param
from ..auth import username
from ..formrender import field_errors

bp = Blueprint("meetings", __name__)


def _case_id(value: str | None, required: bool = True) -> int | None:
    if not value and not required:
        return None
    try:
        return int_param(value, "case_id")
    except ValidationFailed:
        raise ValidationFailed("请选择信访件", [{"field": "case_id", "message": "请选择信访件"}]) from None


def _index(values: dict | None = None, errors: dict | None = None, status: int = 200):
    svc = get_services()
    month = (values or {}).get("month") or request.args.get("month") or local_time(utcnow()).strftime("%Y-%m")
    listed = svc.meetings.list(user=username())
    try:
        picks = svc.analysis.meeting_selection(username(), month, limit=50)["cases"]
    except ValidationFailed as err:
        picks, errors = [], {**(errors or {}), **field_errors(err.details)}
        status = 400
    return render_template("meetings.html", meetings=listed["meetings"], deputies=listed["deputies"],
                           picks=picks, month=month, values=values or {}, errors=errors or {},
                           today=local_time(utcnow()).date().isoformat()), status


@bp.get("/meetings")
@login_required
def index():
    return _index()


@bp.post("/meetings")
@login_required
def record():
    form = request.form
    values = {"held_on": form.get("held_on", ""), "month": form.get("month", ""), "title": form.get("title", ""),
              "deputies": form.getlist("deputies"), "case_ids": form.getlist("case_ids")}
    try:
        ids = [_case_id(v) for v in values["case_ids"]]
        made = get_services().meetings.record(user=username(), held_on=values["held_on"], month=values["month"],
                                              title=values["title"], deputies=values["deputies"], case_ids=ids)
    except ValidationFailed as err:
        return _index(values, field_errors(err.details), 400)
    flash(_("已记录恳谈会"))
    return redirect(url_for("meetings.show", meeting_id=made["id"]))


def _show(meeting_id: int, errors: dict | None = None, status: int = 200):
    svc = get_services()
    return render_template("meeting.html", meeting=svc.meetings.get(meeting_id, user=username()),
                           units=svc.directory.units(user=username()), errors=errors or {},
                           values=request.form if status != 200 else {}), status


@bp.get("/meetings/<id:meeting_id>")
@login_required
def show(meeting_id: int):
    return _show(meeting_id)


@bp.post("/meetings/<id:meeting_id>/opinions")
@login_required
def opinion(meeting_id: int):
    form = request.form
    try:
        get_services().meetings.opinion(meeting_id, user=username(), case_id=_case_id(form.get("case_id")),
                                        deputy=form.get("deputy", ""), opinion=form.get("opinion", ""))
    except ValidationFailed as err:
        return _show(meeting_id, field_errors(err.details), 400)
    flash(_("已记录代表意见"))
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


@bp.post("/meetings/<id:meeting_id>/follow-ups")
@login_required
def follow_up(meeting_id: int):
    form = request.form
    try:
        get_services().meetings.follow_up(meeting_id, user=username(), unit=form.get("unit", ""),
                                          task=form.get("task", ""), last_day=form.get("last_day", ""),
                                          case_id=_case_id(form.get("case_id"), required=False))
    except ValidationFailed as err:
        return _show(meeting_id, field_errors(err.details), 400)
    flash(_("已交办，单位待办中可见"))
    return redirect(url_for("meetings.show", meeting_id=meeting_id))


@bp.get("/meetings/<id:meeting_id>/minutes.docx")
@login_required
def minutes(meeting_id: int):
    name, content = get_services().meetings.minutes_docx(meeting_id, user=username())
    return send_file(io.BytesIO(content), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
