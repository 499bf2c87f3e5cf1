"""The deputies' channel on the web: a deputy's page (refer a petition, follow their referrals) and the
office's directory of deputies and liaison stations (CSV import, counts of referrals)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import ValidationFailed
from office.intake.service import CHANNELS, CONTENT_CLASSES, PURPOSES

from ..app import get_services, int_param
from ..auth import username
from ..formrender import field_errors

bp = Blueprint("deputies", __name__)
FIELDS = ("station", "channel", "subject", "content", "purpose", "content_class", "problem_region")


def referral_form(values: dict) -> dict:
    """The web form's flat fields as the service's referral (one constituent)."""
    form = {k: values.get(k, "") for k in FIELDS}
    person = {k: values.get(f"petitioner_{k}", "") for k in ("name", "phone", "address")}
    form["petitioners"] = [person] if any(person.values()) else []
    return form


def _deputy_page(values: dict | None = None, errors: dict | None = None, status: int = 200):
    svc = get_services().deputies
    return render_template("deputy.html", stations=svc.my_stations(user=username()),
                           cases=svc.my_cases(user=username()), values=values or {}, errors=errors or {},
                           purposes=PURPOSES, classes=CONTENT_CLASSES, channels=CHANNELS), status


@bp.get("/deputy")
@login_required
def deputy_page():
    return _deputy_page()


@bp.post("/deputy/referrals")
@login_required
def refer():
    values = request.form.to_dict()
    try:
        sent = get_services().deputies.refer(referral_form(values), user=username())
    except ValidationFailed as err:
        return _deputy_page(values, field_errors(err.details), 400)
    flash(_("已转交，登记号 %(reg_no)s", reg_no=sent["reg_no"] or ""))
    return redirect(url_for("deputies.deputy_page"))


def _directory_page(errors: dict | None = None, status: int = 200):
    svc = get_services().deputies
    period = {"since": request.args.get("since", ""), "until": request.args.get("until", "")}
    try:
        counts = svc.referral_counts(user=username(), **period)
    except ValidationFailed as err:
        counts, errors, status = {"by_deputy": [], "by_station": []}, {**(errors or {}), **field_errors(err.details)}, 400
    return render_template("deputies.html", directory=svc.directory(user=username()), counts=counts,
                           period=period, errors=errors or {}), status


@bp.get("/deputies")
@login_required
def directory():
    return _directory_page()


def _entry_id(value: str | None) -> int | None:
    return int_param(value, "id") if value else None


@bp.post("/deputies/people")
@login_required
def save_deputy():
    form = request.form.to_dict()
    form["active"] = "active" in request.form
    try:
        get_services().deputies.save_deputy(form, user=username(), deputy_id=_entry_id(form.get("id")))
    except ValidationFailed as err:
        return _directory_page(field_errors(err.details), 400)
    flash(_("已保存代表：%(name)s", name=form.get("name", "")))
    return redirect(url_for("deputies.directory"))


@bp.post("/deputies/stations")
@login_required
def save_station():
    form = request.form.to_dict()
    form["active"] = "active" in request.form
    try:
        get_services().deputies.save_station(form, user=username(), station_id=_entry_id(form.get("id")))
    except ValidationFailed as err:
        return _directory_page(field_errors(err.details), 400)
    flash(_("已保存联络站：%(name)s", name=form.get("name", "")))
    return redirect(url_for("deputies.directory"))


@bp.post("/deputies/import")
@login_required
def import_csv():
    svc = get_services().deputies
    upload = request.files.get("file")
    text = upload.read().decode("utf-8", errors="replace") if upload else ""
    try:
        done = svc.import_csv(request.form.get("kind", ""), text, user=username())
    except ValidationFailed as err:
        return _directory_page({"": [d["message"] for d in err.details]}, 400)
    flash(_("已导入 %(n)d 行", n=done["rows"]))
    return redirect(url_for("deputies.directory"))
