"""Supervision's lists: the leader's list (领导督办清单, the ladder's last rung) and 挂牌督办."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required

from .app import get_services
from .auth import username

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.get("/leader")
@login_required
def leader():
    return _listing("leader")


@bp.get("/hanging")
@login_required
def hanging():
    return _listing("hanging")


def _listing(name: str):
    show_all = request.args.get("all") == "1"
    items = get_services().supervision.listed(name, user=username(), include_lifted=show_all)
    return render_template("supervision_list.html", name=name, items=items, show_all=show_all)


@bp.post("/listings/<id:listing_id>/lift")
@login_required
def lift(listing_id: int):
    row = get_services().supervision.lift(listing_id, user=username(), note=request.form.get("note", "")[:2000])
    return redirect(url_for(f"supervision.{row['list']}"))
