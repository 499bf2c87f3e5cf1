"""Petitioner self-service without an account (/public): status, evaluation, review request.

Nothing of a case beyond its stage and dates is shown; the query code travels in POST bodies only.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.errors import Conflict, NotFound, ValidationFailed
from office.selfservice.service import RATINGS

from ..app import client_address, get_services
from ..formrender import field_errors
from ..limits import LOOKUP, attempt, succeeded
from ..labels import OUTCOMES

bp = Blueprint("public", __name__, url_prefix="/public")

# Where the case stands, in plain words (office.selfservice.service.public_step).
STEPS = {
    "registered": _l("您的信访事项已登记，本机关正在审查是否受理，并将在受理期限内告知您。"),
    "accepted": _l("您的信访事项已受理，正在安排办理。"),
    "routed": _l("您的信访事项已转送或交办有关单位办理。"),
    "handling": _l("有关单位正在办理您的信访事项。"),
    "reported": _l("有关单位已办理完毕，本机关正在审核办理结果并准备答复您。"),
    "replied": _l("本机关已答复您，答复内容见下方。"),
    "reviewing": _l("您申请的复查正在办理中，复查意见将书面告知您。"),
    "review_decided": _l("复查意见已作出。"),
    "rechecking": _l("您申请的复核正在办理中，复核意见将书面告知您。"),
    "closed": _l("您的信访事项已办理完毕。"),
    "concluded": _l("您的信访事项已终结：对同一事实和理由再次提出的，不再受理。"),
    "online_review": _l("您网上提交的信访事项已收到，信访机构正在进行登记审核。"),
    "online_returned": _l("您网上提交的信访事项未予登记，已退回，理由见下方。"),
}
NEXTS = {"wait": _l("请等待办理结果，本机关将书面告知您。"), "closed": _l("事项已办理完毕，您无需再办理什么。"),
         "concluded": _l("事项已终结，您无需再办理什么。")}


def _not_found(reg_no: str):
    """One answer for a wrong number and a wrong code, so neither tells which was wrong."""
    return render_template("public_lookup.html", error=_("登记号或查询码不正确"), reg_no=reg_no), 404


def _credentials() -> tuple[str, str]:
    return request.form.get("reg_no", "").strip()[:40], request.form.get("code", "").strip()[:64]


@bp.get("/")
def lookup():
    return render_template("public_lookup.html")


@bp.post("/status")
def status():
    reg_no, code = _credentials()
    attempt("public", LOOKUP, reg_no, client_address())
    try:
        found = get_services().selfservice.public_status(reg_no, code, client=client_address())
    except NotFound:
        return _not_found(reg_no)
    succeeded("public", LOOKUP, reg_no, client_address())
    return _status_page(found, reg_no, code)


def _status_page(found: dict, reg_no: str, code: str, status: int = 200, **extra):
    return render_template("public_status.html", case=found, reg_no=reg_no, code=code, ratings=RATINGS,
                           steps=STEPS, nexts=NEXTS, outcomes=OUTCOMES, **extra), status


@bp.post("/evaluate")
def evaluate():
    return _answer(lambda svc, reg_no, code: svc.selfservice.public_evaluate(
        reg_no, code, unit_rating=request.form.get("unit_rating", ""),
        office_rating=request.form.get("office_rating") or None, comment=request.form.get("comment", ""),
        client=client_address()))


@bp.post("/review")
def review():
    return _answer(lambda svc, reg_no, code: svc.selfservice.public_request_review(
        reg_no, code, reason=request.form.get("reason", ""), client=client_address()))


def _answer(call):
    reg_no, code = _credentials()
    svc = get_services()
    attempt("public", LOOKUP, reg_no, client_address())
    try:
        found = call(svc, reg_no, code)
    except NotFound:
        return _not_found(reg_no)
    except (ValidationFailed, Conflict) as err:
        found = svc.selfservice.public_status(reg_no, code, client=client_address())
        return _status_page(found, reg_no, code, 400 if isinstance(err, ValidationFailed) else 409,
                            errors=field_errors(err.details) or {"": [err.message]})
    succeeded("public", LOOKUP, reg_no, client_address())
    return _status_page(found, reg_no, code, done=True)
