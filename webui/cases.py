"""Case pages, task pages with their forms, comments, attachments and case operations."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import ValidationFailed

from .app import get_services, int_param
from .auth import username
from .security import safe_next
from .formrender import field_errors, initial_values, parse_form

bp = Blueprint("cases", __name__)
CASE_OPERATIONS = {"suspend": "suspend_case", "resume": "resume_case", "terminate": "terminate_case"}


@bp.get("/cases")
@login_required
def index():
    page = get_services().cases.list_cases(user=username(), status=request.args.get("status") or None,
                                           page=int_param(request.args.get("page"), "page", 1))
    return render_template("cases.html", result=page, status=request.args.get("status", ""))


@bp.get("/cases/<id:case_id>")
@login_required
def show(case_id: int):
    services = get_services()
    return render_template("case.html", case=services.case_page.case_page(case_id, user=username()),
                           proposals=services.proposals.of_case(case_id, user=username()),
                           supervision=services.supervision_ledger.case_panel(case_id, user=username()),
                           key_case=services.key_cases.panel(case_id, user=username()),
                           joint=services.joint_meetings.of_case(case_id, user=username()))


@bp.get("/cases/<id:case_id>/diagram.json")
@login_required
def diagram(case_id: int):
    return get_services().case_page.case_diagram(case_id, user=username())


@bp.post("/cases/<id:case_id>/comments")
@login_required
def comment(case_id: int):
    get_services().comments.add_comment(case_id, user=username(), body=request.form.get("body", ""),
                               task_uuid=request.form.get("task_id") or None)
    back = safe_next(request.form.get("next"), url_for("cases.show", case_id=case_id))
    return redirect(back if back.startswith(("/cases/", "/tasks/")) else url_for("cases.show", case_id=case_id))


@bp.post("/cases/<id:case_id>/attachments")
@login_required
def upload(case_id: int):
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed("choose a file to upload", [{"field": "file", "message": "required"}])
    get_services().attachments.add_attachment(case_id, user=username(), filename=file.filename or "", content=file.read(),
                                  task_uuid=request.form.get("task_id") or None)
    flash(_("附件已上传"))
    return redirect(url_for("cases.show", case_id=case_id) + "#attachments")


@bp.get("/attachments/<id:attachment_id>")
@login_required
def download(attachment_id: int):
    found = get_services().attachments.get_attachment(attachment_id, user=username())
    try:
        return send_file(found["path"], mimetype=found["content_type"], as_attachment=True,
                         download_name=found["filename"])
    except FileNotFoundError:
        abort(404)


@bp.post("/cases/<id:case_id>/operation")
@login_required
def operate(case_id: int):
    operation = request.form.get("operation", "")
    svc = get_services()
    if operation == "retry":
        svc.cases.retry_case(case_id, user=username())
    elif operation in CASE_OPERATIONS:
        getattr(svc.cases, CASE_OPERATIONS[operation])(case_id, user=username(), reason=request.form.get("reason", ""))
    else:
        raise ValidationFailed(f"unknown operation {operation!r}")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.post("/cases/<id:case_id>/counted")
@login_required
def set_counted(case_id: int):
    """纳入统计, changed by the director with a reason."""
    counted = {"yes": True, "no": False}.get(request.form.get("counted", ""))
    if counted is None:
        raise ValidationFailed("纳入统计 is yes or no", [{"field": "counted", "message": "yes or no"}])
    get_services().counting.set_counted(case_id, counted, user=username(), reason=request.form.get("reason", ""))
    flash(_("已更改纳入统计"))
    return redirect(url_for("cases.show", case_id=case_id) + "#standing")


@bp.post("/cases/<id:case_id>/resolution")
@login_required
def set_resolution(case_id: int):
    """化解, set or corrected by the director with a reason."""
    get_services().resolutions.set_resolution(case_id, request.form.get("outcome", ""), user=username(),
                                              reason=request.form.get("reason", ""))
    flash(_("已认定化解情况"))
    return redirect(url_for("cases.show", case_id=case_id) + "#standing")


@bp.post("/cases/<id:case_id>/reveal")
@login_required
def reveal(case_id: int):
    people = get_services().cases.reveal_identities(case_id, user=username(), purpose=request.form.get("purpose", ""))
    return render_template("reveal.html", case_id=case_id, people=people)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):
    svc = get_services()
    found = svc.tasks.get_task(task_id, user=username())
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = parse_form(found.get("form"), request.form)
        try:
            svc.tasks.complete_task(task_id, user=username(), data=values)
        except ValidationFailed as err:
            errors, status = field_errors(err.details) or {"": [err.message]}, 400
        else:
            flash(_("已办理：%(name)s", name=found["name"]))
            return redirect(url_for("inbox.index"))
    case = svc.case_page.case_page(found["case_id"], user=username())
    if request.method == "GET":
        values = initial_values(found.get("form"), case.get("data"))
    current = next((t for t in case["tasks"] if t["id"] == task_id), found)
    units = svc.directory.units(user=username()) if _has_unit_picker(found.get("form")) else []
    return render_template("task.html", task=found, actions=current.get("actions", []), owner=current.get("owner"),
                           owner_name=current.get("owner_name", ""),
                           current=current, case=case, values=values, errors=errors, units=units), status


def _has_unit_picker(form: dict | None) -> bool:
    return any(p.get("x-picker") == "unit" for p in ((form or {}).get("properties") or {}).values())


@bp.get("/cases/<id:case_id>/dossier")
@login_required
def dossier(case_id: int):
    """The case file on its own, to print (the browser's print to PDF keeps it as a file)."""
    return render_template("dossier.html", case=get_services().case_page.case_page(case_id, user=username()))


@bp.post("/cases/<id:case_id>/query-code")
@login_required
def reissue_code(case_id: int):
    """A new query code for a petitioner who lost theirs: shown once here, printed on a new 回执."""
    issued = get_services().selfservice.reissue_query_code(case_id, user=username(),
                                                         reason=request.form.get("reason", ""))
    return render_template("query_code.html", issued=issued, reissued=True)
