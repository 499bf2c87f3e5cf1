"""Downloading a case's notices (every download is in the access log)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response
from flask_login import login_required

from .app import get_services
from .auth import username

bp = Blueprint("documents", __name__)


@bp.get("/cases/<id:case_id>/documents/<id:document_id>")
@login_required
def download(case_id: int, document_id: int) -> Response:
    filename, content, mimetype = get_services().documents.get_document(case_id, document_id, user=username())
    disposition = f"attachment; filename=\"document-{document_id}.docx\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition,
                                                        "Cache-Control": "private, no-store"})
