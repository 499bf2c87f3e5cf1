"""Process library, the BPMN editor, version diffs and case migration (analysts and admins)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import ValidationFailed

from .app import get_services, int_param
from .auth import username
from .security import safe_next
from .formrender import render_form
from .rest.jsonbody import json_body

bp = Blueprint("editor", __name__)
MAX_FILES = 100     # diagrams and the forms/<key>.json they use


def _files() -> dict[str, str]:
    body = json_body()
    files = body.get("files") if isinstance(body, dict) else None
    if not isinstance(files, dict) or not files or len(files) > MAX_FILES or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise ValidationFailed('send {"files": {"name.bpmn": "<xml>", "forms/<key>.json": "<schema>"}} '
                               f"with 1 to {MAX_FILES} files")
    return files


@bp.get("/processes")
@login_required
def library():
    return render_template("processes.html", processes=get_services().editor.process_library(user=username()))


@bp.get("/processes/<key>/edit")
@login_required
def edit(key: str):
    version = int_param(request.args.get("version"), "version", 0) or None
    source = get_services().editor.process_source(key, version, user=username())
    return render_template("editor.html", source=source)


@bp.get("/processes/editor-options.json")
@login_required
def options():
    return get_services().editor.editor_options(user=username())


@bp.post("/forms/preview")
@login_required
def preview_form():
    """The editor's live preview: the form as a task page would show it, or why it cannot be."""
    body = json_body()
    text = body.get("form") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise ValidationFailed('send {"form": "<JSON Schema text>"}')
    schema = get_services().editor.preview_form(text, user=username())
    return jsonify({"html": str(render_form(schema)), "fields": list(schema["properties"])})


@bp.get("/processes/forms/<key>.json")
@login_required
def form_source(key: str):
    return jsonify(get_services().editor.form_source(key, user=username()))


@bp.post("/processes/validate")
@login_required
def validate():
    return jsonify({"errors": get_services().editor.validate_diagram(_files(), user=username())})


@bp.post("/processes/deploy")
@login_required
def deploy():
    return jsonify({"deployed": get_services().editor.deploy_diagram(_files(), user=username())})


@bp.post("/processes/<key>/test")
@login_required
def run_tests(key: str):
    return jsonify({"results": get_services().editor.run_scenarios(key, _files(), user=username())})


@bp.get("/processes/<key>/diff")
@login_required
def diff(key: str):
    old = int_param(request.args.get("from"), "from", 1)
    new = int_param(request.args.get("to"), "to", 1)
    services = get_services()
    return render_template("process_diff.html", diff=services.editor.diff_versions(key, old, new, user=username()),
                           migrations=services.editor.list_migrations(user=username()))


@bp.post("/processes/<key>/migrate")
@login_required
def migrate(key: str):
    to = int_param(request.form.get("to"), "to", 1)
    case_id = request.form.get("case_id", "").strip()
    services = get_services()
    if case_id:
        moved = services.editor.migrate_case(int_param(case_id, "case_id", 1), to, user=username())
        flash(_("案件 %(case)s 已迁移到第 %(v)s 版", case=moved["case_id"], v=moved["to"]), "ok")
    else:
        result = services.editor.migrate_cases(key, int_param(request.form.get("from"), "from", 1), to, user=username())
        flash(_("已迁移 %(n)s 件；拒绝 %(r)s 件", n=len(result["moved"]), r=len(result["refused"])), "ok")
        for refused in result["refused"]:
            flash(refused["reason"], "error")
    return redirect(url_for("editor.diff", key=key, **{"from": request.form.get("from", 1), "to": to}))


@bp.post("/migrations/<id:migration_id>/revert")
@login_required
def revert(migration_id: int):
    done = get_services().editor.revert_migration(migration_id, user=username())
    flash(_("案件 %(case)s 已恢复到第 %(v)s 版", case=done["case_id"], v=done["version"]), "ok")
    came_from = urlsplit(request.referrer or "")
    back = came_from.path + (f"?{came_from.query}" if came_from.query else "") if came_from.netloc == request.host else ""
    return redirect(safe_next(back, url_for("editor.library")))


@bp.post("/processes/import")
@login_required
def import_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("choose a .bpmn file to import")
    source = get_services().editor.import_diagram(upload.filename, upload.read(), user=username())
    return render_template("editor.html", source=source, report=source)
