"""代表建议 on the web (the office's staff who may propose, as in the API): the proposals with their
cases, and the form that marks a month's hot topic or cases named by their 信访件编号 as material
for a 代表建议 or 议案; then the lodged number and the answer. Thin views over
office.deputies.proposals; the service checks who may and what is valid."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import ValidationFailed
from office.deputies.proposals import KINDS

from ..app import get_services, id_params
from ..auth import username
from ..formrender import field_errors

bp = Blueprint("proposals", __name__)
MAX_NAMED = 200          # 信访件编号 typed one a line


def _index(values: dict | None = None, errors: dict | None = None, status: int = 200):
    proposals, values, errors = get_services().proposals, values or {}, dict(errors or {})
    month = values.get("month") or request.args.get("month") or None
    topic = values.get("topic") if "topic" in values else request.args.get("topic")
    try:
        found = proposals.page(user=username(), month=month, topic=topic)
    except ValidationFailed as err:       # a month or topic that is not there: this month, no topic
        found, status = proposals.page(user=username()), 400
        errors.update(field_errors(err.details or [{"field": "month", "message": str(err)}]))
    return render_template("proposals.html", page=found, values=values, errors=errors, kinds=KINDS), status


@bp.get("/proposals")
@login_required
def index():
    """`reg_no`: a case page's link names its case in the form."""
    return _index({"reg_nos": request.args.get("reg_no", "")[:40]})


@bp.post("/proposals")
@login_required
def propose():
    form = request.form
    values = {"kind": form.get("kind", ""), "title": form.get("title", ""), "deputy": form.get("deputy", ""),
              "month": form.get("month", ""), "topic": form.get("topic", ""), "case_ids": form.getlist("case_ids"),
              "reg_nos": form.get("reg_nos", "")}
    try:
        made = get_services().proposals.propose(
            user=username(), kind=values["kind"], title=values["title"], topic=values["topic"],
            deputy=values["deputy"], case_ids=id_params(values["case_ids"]),
            reg_nos=values["reg_nos"].split()[:MAX_NAMED])
    except ValidationFailed as err:
        return _index(values, field_errors(err.details), 400)
    flash(_("已记录为建议素材"))
    return redirect(url_for("proposals.index") + f"#proposal-{made['id']}")


def _act(proposal_id: int, call, field: str):
    try:
        call(proposal_id, user=username(), **{field: request.form.get(field, "")})
    except ValidationFailed as err:
        return _index(errors=field_errors(err.details), status=400)
    flash(_("已保存"))
    return redirect(url_for("proposals.index") + f"#proposal-{proposal_id}")


@bp.post("/proposals/<id:proposal_id>/lodge")
@login_required
def lodge(proposal_id: int):
    return _act(proposal_id, get_services().proposals.lodge, "number")


@bp.post("/proposals/<id:proposal_id>/answer")
@login_required
def answer(proposal_id: int):
    return _act(proposal_id, get_services().proposals.answer, "answer")
