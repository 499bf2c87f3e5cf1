"""The directory as the pickers read it: units by name and regions by name (any signed-in user)."""
from __future__ import annotations

from flask import Blueprint, request
from flask_login import login_required

from .app import get_services
from .auth import username

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.get("/regions")
@login_required
def regions():
    return {"items": get_services().directory.regions(request.args.get("q", ""), user=username())}


@bp.get("/units")
@login_required
def units():
    return {"items": get_services().directory.units(user=username())}
