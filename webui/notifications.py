"""In-app notifications: reminders (催办), escalations (督办) and leader alerts for the signed-in user."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import login_required

from .app import get_services, id_params
from .auth import username

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    show_all = request.args.get("all") == "1"
    items = get_services().notifications.notifications(username(), unread_only=not show_all)
    return render_template("notifications.html", items=items, show_all=show_all)


@bp.post("/read")
@login_required
def mark_read():
    ids = id_params(request.form.getlist("id"))[:500]
    get_services().notifications.mark_notifications_read(username(), ids)
    return redirect(url_for("notifications.index"))
