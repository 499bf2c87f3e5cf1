"""网上信访 on the web: the petitioner's submission page (no account) and the office's 登记审核.

The public page and POST /api/v1/public/petitions share the service call and the rate limits:
per client address and per ID number (a keyed hash, never the number itself).
"""
from __future__ import annotations

import base64
import binascii
import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.errors import ValidationFailed
from office.intake.service import CONTENT_CLASSES, PURPOSES
from office.online.checks import MAX_FILES, Upload

from ..app import get_services
from ..auth import username
from ..formrender import field_errors
from ..limits import limiter

bp = Blueprint("online", __name__)
ADDRESS_LIMIT, ID_LIMIT = "20 per hour", "5 per day"
STATES = {"pending": _l("待登记审核"), "registering": _l("待登记审核"), "registered": _l("已登记"), "returned": _l("已退回")}


def address_limit() -> str:
    return current_app.extensions["xinfang.settings"].extra.get("online_limit_address", ADDRESS_LIMIT)


def id_limit() -> str:
    return current_app.extensions["xinfang.settings"].extra.get("online_limit_id", ID_LIMIT)


def id_number_key() -> str:
    """The rate-limit key of the petitioner: their ID number (hashed), from the form or the JSON."""
    body = request.get_json(silent=True) if request.is_json else request.form
    number = str((body or {}).get("id_number") or "").strip().upper()
    return "id:" + get_services().online.id_key(number) if number else "id-none:" + (request.remote_addr or "")


def submit_limits(view):
    """Both limits on a submitting view (the page and the API)."""
    return limiter.limit(address_limit)(limiter.limit(id_limit, key_func=id_number_key)(view))


def files_from_json(items) -> list[Upload]:
    if items in (None, []):
        return []
    if not isinstance(items, list):
        raise ValidationFailed("附件格式不正确", [{"field": "attachments", "message": "应为列表"}])
    uploads = []
    for i, item in enumerate(items):
        try:
            content = base64.b64decode(str(item.get("content_base64") or ""), validate=True)
        except (AttributeError, binascii.Error, ValueError):
            raise ValidationFailed("附件格式不正确", [{"field": f"attachments.{i}",
                                                     "message": "content_base64 不是有效的Base64"}]) from None
        uploads.append(Upload(str(item.get("filename") or ""), content))
    return uploads


def _form_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template("public_submit.html", values=values or {}, errors=errors or {}, purposes=PURPOSES,
                           max_files=MAX_FILES, idempotency_key=uuid.uuid4().hex), status


@bp.get("/public/submit")
def submit_form():
    return _form_page()


@bp.post("/public/submit")
@submit_limits
def submit():
    values = {k: request.form.get(k, "") for k in ("name", "id_number", "phone", "address", "subject", "content",
                                                   "purpose", "region", "consent")}
    files = [Upload(f.filename or "", f.read()) for f in request.files.getlist("attachments") if f.filename]
    try:
        sent = get_services().online.submit(values, files, idempotency_key=request.form.get("idempotency_key", ""))
    except ValidationFailed as err:
        return _form_page(values, field_errors(err.details), 400)
    page = render_template("public_submitted.html", sent=sent)
    return page, 201, {"Cache-Control": "no-store"}


@bp.get("/public/regions")
@limiter.limit("120 per minute")
def regions():
    return {"items": get_services().online.regions(request.args.get("q", ""))}


# -- the office: 登记审核 -----------------------------------------------------------------
@bp.get("/online")
@login_required
def pending():
    return render_template("online_list.html", items=get_services().online.pending(user=username()))


@bp.get("/online/<id:submission_id>")
@login_required
def detail(submission_id: int):
    found = get_services().online.detail(submission_id, user=username())
    return render_template("online_detail.html", states=STATES, item=found, classes=CONTENT_CLASSES, errors={})


@bp.post("/online/<id:submission_id>/register")
@login_required
def register(submission_id: int):
    svc = get_services().online
    try:
        done = svc.register(submission_id, user=username(), content_class=request.form.get("content_class", ""))
    except ValidationFailed as err:
        found = svc.detail(submission_id, user=username())
        return render_template("online_detail.html", states=STATES, item=found, classes=CONTENT_CLASSES,
                               errors=field_errors(err.details)), 400
    flash(_("已登记为 %(reg_no)s，请继续拟办", reg_no=done["reg_no"] or ""))
    return redirect(url_for("cases.show", case_id=done["case_id"]))


@bp.post("/online/<id:submission_id>/return")
@login_required
def return_(submission_id: int):
    svc = get_services().online
    try:
        svc.return_submission(submission_id, user=username(), reason=request.form.get("reason", ""))
    except ValidationFailed as err:
        found = svc.detail(submission_id, user=username())
        return render_template("online_detail.html", states=STATES, item=found, classes=CONTENT_CLASSES,
                               errors=field_errors(err.details)), 400
    flash(_("已退回，信访人可凭查询码看到退回理由"))
    return redirect(url_for("online.pending"))


@bp.get("/online/files/<id:file_id>")
@login_required
def file(file_id: int):
    found = get_services().online.file(file_id, user=username())
    try:
        return send_file(found["path"], mimetype=found["content_type"], as_attachment=True,
                         download_name=found["filename"])
    except FileNotFoundError:
        abort(404)
