"""Registration of a new petition, with repeat-petition hints while typing."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import ValidationFailed
from office.intake.service import FLAGS

from .app import get_services
from .auth import username
from .formrender import field_errors

bp = Blueprint("registration", __name__)
PERSON_FIELDS = ("name", "id_number", "phone", "address")


def people(form, prefix: str, limit: int = 50) -> list[dict]:
    pattern = re.compile(rf"^{prefix}\.(\d+)\.(\w+)$")
    rows: dict[int, dict] = {}
    for key in form.keys():
        m = pattern.match(key)
        if m and m.group(2) in PERSON_FIELDS and int(m.group(1)) < limit:
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = form.get(key, "")
    return [rows[i] for i in sorted(rows)]


def intake_form(form) -> dict:
    data = {k: form.get(k, "") for k in ("channel", "source", "subject", "content", "purpose", "content_class",
                                          "problem_region", "organ", "accused_unit", "persons", "override_reason")}
    for flag in ("anonymous", "collective", "override_numbers", *FLAGS):
        data[flag] = form.get(flag) in ("on", "true", "1")
    data["petitioners"] = people(form, "petitioners")
    data["representatives"] = people(form, "representatives")
    return data


@bp.route("/register", methods=["GET", "POST"])
@login_required
def new():
    values, errors, status = {"petitioners": [{}], "representatives": []}, {}, 200
    choices = get_services().intake.registration_options(user=username())
    if request.method == "POST":
        values = intake_form(request.form)
        try:
            case = get_services().intake.register_petition(values, user=username())
        except ValidationFailed as err:
            errors, status = field_errors(err.details) or {"": [err.message]}, 400
        else:
            if case.get("query_code"):      # shown once, here, to the clerk who registered it
                issued = {"case_id": case["id"], "reg_no": case.get("reg_no"), "query_code": case["query_code"],
                          "receipt": case.get("receipt")}
                return render_template("query_code.html", issued=issued)
            flash(_("已登记：%(ref)s", ref=case.get("reg_no") or f"#{case['id']}"))
            return redirect(url_for("cases.show", case_id=case["id"]))
    return render_template("register.html", values=values, errors=errors, **choices), status


@bp.get("/register/repeats")
@login_required
def repeats():
    found = get_services().intake.find_possible_repeats(id_number=request.args.get("id_number"),
                                                 name=request.args.get("name"), user=username())
    return {"items": found}
