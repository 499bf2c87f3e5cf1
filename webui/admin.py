"""Administration of users, groups and units (administrators only; the services check)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from office.access import ROLES
from office.directory.service import KINDS
from engine.errors import ValidationFailed
from office.dates import YEARS, local_midnight

from .app import get_services, id_params
from .auth import username

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _groups(value: str) -> list[str]:
    return [g.strip() for g in value.replace("，", ",").split(",") if g.strip()]


@bp.route("/users", methods=["GET", "POST"])
@login_required
def users():
    svc = get_services()
    if request.method == "POST":
        svc.admin.create_user(request.form.get("username", "").strip(), user=username(),
                        groups=_groups(request.form.get("groups", "")), password=request.form.get("password", ""),
                        display_name=request.form.get("display_name", ""), unit=request.form.get("unit") or None)
        flash(_("用户已创建"))
        return redirect(url_for("admin.users"))
    return render_template("admin_users.html", users=svc.admin.list_users(user=username()),
                           units=svc.admin.list_units(user=username()), roles=ROLES)


@bp.post("/users/<name>")
@login_required
def update_user(name: str):
    form = request.form
    get_services().admin.update_user(name, user=username(), groups=_groups(form.get("groups", "")),
                               unit=form.get("unit", ""), active=form.get("active") == "on",
                               password=form.get("password") or None, display_name=form.get("display_name"))
    flash(_("用户已更新"))
    return redirect(url_for("admin.users"))


@bp.post("/users/import")
@login_required
def import_users():
    """Starts the import of an uploaded CSV; the page polls /jobs/<id> for its progress and errors."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("请选择要导入的CSV文件"))
    job = get_services().user_import.start_user_import(upload.read(), user=username())
    return job, 202


@bp.get("/users/import/<job_id>/passwords.csv")
@login_required
def import_passwords(job_id: str):
    """The generated passwords, once: the server keeps no copy after this download."""
    text = get_services().user_import.take_import_passwords(job_id, user=username())
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=passwords-{job_id[:8]}.csv", "Cache-Control": "no-store"})


@bp.route("/groups", methods=["GET", "POST"])
@login_required
def groups():
    svc = get_services()
    if request.method == "POST":
        svc.admin.save_group(request.form.get("name", "").strip(), request.form.get("title", ""), user=username())
        return redirect(url_for("admin.groups"))
    return render_template("admin_groups.html", groups=svc.admin.list_groups(user=username()))


@bp.route("/units", methods=["GET", "POST"])
@login_required
def units():
    """The directory of units: add or change one (by its code), or import a CSV file."""
    svc = get_services()
    if request.method == "POST":
        form = request.form
        saved = svc.directory.save_unit(form.get("code", "").strip(), user=username(), name=form.get("name", ""),
                                        short_name=form.get("short_name", ""), kind=form.get("kind", "government"),
                                        parent=form.get("parent") or None, region=form.get("region") or None,
                                        active=form.get("active") == "on")
        flash(_("单位已保存：%(name)s", name=saved["name"]))
        return redirect(url_for("admin.units"))
    svc.admin.list_groups(user=username())          # administrators only
    return render_template("admin_units.html", units=svc.directory.units(user=username(), include_inactive=True),
                           kinds=KINDS, edit=request.args.get("edit", ""))


@bp.post("/units/import")
@login_required
def import_units():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(_("请选择要导入的CSV文件"))
    done = get_services().directory.import_units(upload.read(), user=username())
    flash(_("已导入 %(n)d 个单位", n=done["imported"]))
    return redirect(url_for("admin.units"))


@bp.get("/access-log")
@login_required
def access_log():
    """Filter by user, case and period (Beijing dates, end date included)."""
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    case_id = next(iter(id_params([args.get("case_id", "")])), None)
    rows = get_services().access_log.access_log(user=username(), username=args.get("username", "").strip(),
                                     case_id=case_id, since=since,
                                     until=until + timedelta(days=1) if until else None)
    return render_template("admin_access_log.html", rows=rows, args=args)


def _day(value: str | None) -> datetime | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed(f"not a date (YYYY-MM-DD): {value!r}") from None
    if day and not YEARS[0] <= day.year <= YEARS[1]:
        raise ValidationFailed(f"a date between {YEARS[0]} and {YEARS[1]}, not {value!r}")
    return local_midnight(day) if day else None
