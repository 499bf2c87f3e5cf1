"""REST API /api/v1: JSON in and out, session or Bearer token, errors as {error, message, details}.

The OpenAPI document (webui/openapi.py) describes exactly these responses; tests check them
against it.
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import UnsupportedMediaType

from engine.errors import ValidationFailed
from office.inbox.service import FILTER_KEYS

from ..analysis import evaluation_period, hotspot_options, this_month
from ..app import csrf, flag_param, get_services, int_param
from ..channels.online import files_from_json, submit_limits
from .jsonbody import json_body
from .openapi import spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_PAGE = 100_000
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PUBLIC_ENDPOINTS = ("api.openapi", "api.public_petition")     # no sign-in


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        response = jsonify({"error": "unauthorized", "message": "sign in or send 'Authorization: Bearer <token>'",
                            "details": None})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if request.method not in SAFE_METHODS and not g.get("auth_via_token"):
        csrf.protect()          # a cookie session must also send X-CSRFToken
    return None


def _user() -> str:
    return current_user.username


def _body() -> dict:
    if request.content_length and request.mimetype != "application/json":
        raise UnsupportedMediaType(f"send JSON (Content-Type: application/json), not {request.mimetype or 'nothing'}")
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("the request body must be a JSON object", [{"field": "", "message": "not an object"}])
    return data


def _object(body: dict, key: str) -> dict:
    value = body.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"'{key}' must be a JSON object", [{"field": key, "message": "not an object"}])
    return value


def _paging() -> tuple[int, int]:
    page = int_param(request.args.get("page"), "page", 1)
    per_page = int_param(request.args.get("per_page"), "per_page", 50)
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= 200:
        raise ValidationFailed("page must be 1..100000 and per_page 1..200", [{"field": "page", "message": "range"}])
    return page, per_page


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.post("/public/petitions")
@submit_limits
def public_petition():
    """网上信访 without an account: 201 {number, query_code, state}; the same Idempotency-Key
    (header, or `idempotency_key` in the body) answers the same again and files nothing twice."""
    body = _body()
    files = files_from_json(body.get("attachments"))
    key = request.headers.get("Idempotency-Key") or str(body.get("idempotency_key") or "")
    form = {k: v for k, v in body.items() if k not in ("attachments", "idempotency_key")}
    sent = get_services().online.submit(form, files, idempotency_key=key)
    return sent, 201, {"Cache-Control": "no-store"}


@bp.get("/online")
def online_pending():
    """网上信访 waiting for 登记审核 (office staff)."""
    return jsonify(get_services().online.pending(user=_user()))


@bp.get("/online/<id:submission_id>")
def online_detail(submission_id: int):
    return get_services().online.detail(submission_id, user=_user())


@bp.post("/online/<id:submission_id>/register")
def online_register(submission_id: int):
    body = _body()
    flags = {k: body.get(k) for k in ("sensitive", "urgent") if k in body}
    return get_services().online.register(submission_id, user=_user(), content_class=str(body.get("content_class")
                                                                                         or ""), **flags), 201


@bp.post("/online/<id:submission_id>/return")
def online_return(submission_id: int):
    return get_services().online.return_submission(submission_id, user=_user(), reason=str(_body().get("reason")
                                                                                           or ""))


@bp.post("/deputy/referrals")
def deputy_referral():
    """代表转交 by the signed-in deputy: registered at once (来源 人大代表转交), normal triage follows."""
    return get_services().deputies.refer(_body(), user=_user()), 201


@bp.get("/deputy/cases")
def deputy_cases():
    return jsonify(get_services().deputies.my_cases(user=_user()))


@bp.get("/deputies")
def deputies_directory():
    return get_services().deputies.directory(user=_user())


@bp.post("/deputies/import")
def deputies_import():
    body = _body()
    return get_services().deputies.import_csv(str(body.get("kind") or ""), str(body.get("csv") or ""), user=_user())


@bp.get("/deputies/referral-counts")
def deputies_counts():
    return get_services().deputies.referral_counts(user=_user(), since=request.args.get("since") or None,
                                                   until=request.args.get("until") or None)


@bp.get("/proposals")
def proposals():
    return jsonify(get_services().proposals.list(user=_user()))


@bp.post("/proposals")
def propose():
    body = _body()
    return get_services().proposals.propose(
        user=_user(), kind=str(body.get("kind") or ""), title=str(body.get("title") or ""),
        case_ids=body.get("case_ids"), topic=str(body.get("topic") or ""), deputy=str(body.get("deputy") or "")), 201


@bp.post("/proposals/<id:proposal_id>/lodge")
def lodge_proposal(proposal_id: int):
    return get_services().proposals.lodge(proposal_id, user=_user(), number=str(_body().get("number") or ""))


@bp.post("/proposals/<id:proposal_id>/answer")
def answer_proposal(proposal_id: int):
    return get_services().proposals.answer(proposal_id, user=_user(), answer=str(_body().get("answer") or ""))


@bp.get("/cases/<id:case_id>/proposals")
def case_proposals(case_id: int):
    return jsonify(get_services().proposals.of_case(case_id, user=_user()))


@bp.post("/meetings")
def record_meeting():
    body = _body()
    return get_services().meetings.record(
        user=_user(), held_on=str(body.get("held_on") or ""), month=str(body.get("month") or ""),
        title=str(body.get("title") or ""), deputies=body.get("deputies"), case_ids=body.get("case_ids")), 201


@bp.get("/meetings/<id:meeting_id>")
def get_meeting(meeting_id: int):
    return get_services().meetings.get(meeting_id, user=_user())


@bp.post("/meetings/<id:meeting_id>/opinions")
def meeting_opinion(meeting_id: int):
    body = _body()
    return get_services().meetings.opinion(meeting_id, user=_user(), case_id=int_param(body.get("case_id"), "case_id"),
                                           deputy=str(body.get("deputy") or ""), opinion=str(body.get("opinion") or ""))


@bp.post("/meetings/<id:meeting_id>/follow-ups")
def meeting_follow_up(meeting_id: int):
    body = _body()
    case_id = body.get("case_id")
    return get_services().meetings.follow_up(
        meeting_id, user=_user(), unit=str(body.get("unit") or ""), task=str(body.get("task") or ""),
        last_day=str(body.get("last_day") or ""),
        case_id=None if case_id in (None, "") else int_param(case_id, "case_id")), 201


@bp.post("/meeting-follow-ups/<id:follow_up_id>/done")
def meeting_follow_up_done(follow_up_id: int):
    return get_services().meetings.finish_follow_up(follow_up_id, user=_user(),
                                                    result=str(_body().get("result") or ""))


@bp.get("/meeting-follow-ups/overdue")
def meeting_follow_ups_overdue():
    return jsonify(get_services().meetings.overdue(user=_user()))


@bp.get("/meetings/<id:meeting_id>/minutes.docx")
def meeting_minutes(meeting_id: int):
    from flask import send_file
    import io
    name, content = get_services().meetings.minutes_docx(meeting_id, user=_user())
    return send_file(io.BytesIO(content), as_attachment=True, download_name=name, mimetype=DOCX)


@bp.get("/cases")
def list_cases():
    page, per_page = _paging()
    status = request.args.get("status") or None
    return get_services().cases.list_cases(user=_user(), status=status, page=page, per_page=per_page,
                                           count=flag_param(request.args.get("count"), "count"))


@bp.post("/cases")
def create_case():
    body = _body()
    key = body.get("process_key")
    if not isinstance(key, str) or not key.strip():
        raise ValidationFailed("'process_key' is required", [{"field": "process_key", "message": "required"}])
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                or not 1 <= version <= 2**31 - 1):
        raise ValidationFailed("'version' must be a positive integer", [{"field": "version", "message": "invalid"}])
    case = get_services().cases.open_case(key.strip(), _object(body, "data"), user=_user(), version=version)
    return case, 201


@bp.get("/cases/<id:case_id>")
def get_case(case_id: int):
    return get_services().case_page.case_page(case_id, user=_user())


@bp.get("/tasks")
def list_tasks():
    page, per_page = _paging()
    filters = {k: request.args.get(k) for k in FILTER_KEYS if request.args.get(k) not in (None, "")}
    return get_services().inbox.inbox(user=_user(), filters=filters, page=page, per_page=per_page,
                                      count=flag_param(request.args.get("count"), "count"))


@bp.get("/tasks/<task_id>")
def get_task(task_id: str):
    return get_services().tasks.get_task(task_id, user=_user())


@bp.post("/tasks/<task_id>/claim")
def claim(task_id: str):
    return get_services().inbox.claim_task(task_id, user=_user())


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id: str):
    return get_services().inbox.unclaim_task(task_id, user=_user())


@bp.post("/tasks/<task_id>/assign")
def assign(task_id: str):
    assignee = _body().get("assignee")
    if not isinstance(assignee, str) or not assignee.strip():
        raise ValidationFailed("'assignee' is required", [{"field": "assignee", "message": "required"}])
    return get_services().inbox.assign_task(task_id, assignee.strip(), user=_user())


@bp.post("/tasks/<task_id>/complete")
def complete(task_id: str):
    if request.content_length and request.mimetype != "application/json":
        raise UnsupportedMediaType(f"send JSON (Content-Type: application/json), not {request.mimetype or 'nothing'}")
    body = json_body() if request.data else {}
    if not isinstance(body, dict):
        raise ValidationFailed("the request body must be a JSON object", [{"field": "", "message": "not an object"}])
    return get_services().tasks.complete_task(task_id, user=_user(), data=_object(body, "data"))


@bp.get("/processes")
def list_processes():
    return jsonify(get_services().processes.list_processes())


@bp.post("/processes")
def deploy():
    if request.mimetype == "multipart/form-data":
        files = {f.filename or f"upload{i}.bpmn": f.read() for i, f in enumerate(request.files.getlist("files"))}
        if not files:
            raise ValidationFailed("upload one or more .bpmn files in the form field 'files'",
                                   [{"field": "files", "message": "required"}])
    else:
        files = _body().get("files")
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise ValidationFailed("'files' must map file names to BPMN XML text",
                                   [{"field": "files", "message": "invalid"}])
    result = get_services().processes.deploy_as(files, user=_user())
    return jsonify(result), 201


@bp.get("/kpis")
def kpis():
    return get_services().inbox.case_counts(user=_user())


@bp.get("/kpis/figures")
def kpi_figures():
    return get_services().kpi.kpis_of_month(_user(), request.args.get("month", ""), by=request.args.get("by") or None)


@bp.get("/analysis/hotspots")
def hotspots():
    args = request.args
    return get_services().analysis.hotspot_analysis(_user(), args.get("month") or this_month(), **hotspot_options())


@bp.get("/analysis/selection")
def selection():
    args = request.args
    return get_services().analysis.meeting_selection(_user(), args.get("month") or this_month(),
                                            limit=int_param(args.get("limit"), "limit", 10))


@bp.get("/analysis/evaluation")
def evaluation():
    return get_services().analysis.organ_evaluation(_user(), evaluation_period())
