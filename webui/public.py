"""Petitioner self-service without an account (/public): status, evaluation, review request.

Nothing of a case beyond its stage and dates is shown; the query code travels in POST bodies only.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from engine.errors import Conflict, NotFound, ValidationFailed
from office.selfservice.service import RATINGS

from .app import client_address, get_services
from .formrender import field_errors

bp = Blueprint("public", __name__, url_prefix="/public")


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
    try:
        found = get_services().selfservice.public_status(reg_no, code, client=client_address())
    except NotFound:
        return _not_found(reg_no)
    return render_template("public_status.html", case=found, reg_no=reg_no, code=code, ratings=RATINGS)


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
    try:
        found = call(svc, reg_no, code)
    except NotFound:
        return _not_found(reg_no)
    except (ValidationFailed, Conflict) as err:
        found = svc.selfservice.public_status(reg_no, code, client=client_address())
        return render_template("public_status.html", case=found, reg_no=reg_no, code=code, ratings=RATINGS,
                               errors=field_errors(err.details) or {"": [err.message]}), \
            400 if isinstance(err, ValidationFailed) else 409
    return render_template("public_status.html", case=found, reg_no=reg_no, code=code, ratings=RATINGS, done=True)
