"""Application factory. Configuration comes from one Settings object."""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from datetime import date, datetime, timedelta

from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import Babel, format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import BaseConverter, ValidationError

from office.access import OFFICE, SUPERVISORS
from office.dates import deadline, last_day, local_time
from office.root import Services
from engine.settings import Settings

log = logging.getLogger(__name__)
MAX_DB_INT = 2_147_483_647    # PostgreSQL integer columns
LANGUAGES = {"zh": "中文", "en": "English"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


def _cookie_secure(settings: Settings) -> bool:
    """Secure cookies unless testing or debugging; XINFANG_COOKIE_SECURE or extra["cookie_secure"] decide."""
    configured = settings.extra.get("cookie_secure", os.environ.get("XINFANG_COOKIE_SECURE"))
    if configured is not None and configured != "":
        return str(configured).lower() in ("1", "true", "yes", "on")
    return not settings.testing and os.environ.get("FLASK_DEBUG", "") not in ("1", "true")


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    from .security import secret_key
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings), TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=_cookie_secure(settings),
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=_cookie_secure(settings), PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=int(settings.extra.get("max_request_bytes", 12 * 1024 * 1024)),
        WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=False, JSON_AS_ASCII=False,
    )
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    app.extensions["xinfang.services"] = services or Services(settings)
    app.extensions["xinfang.settings"] = settings
    app.url_map.converters["id"] = IdConverter
    app.before_request(_reject_nul_bytes)
    app.teardown_request(_forget_user)
    _init_extensions(app)
    _register_blueprints(app)
    _register_filters(app)
    from . import observability
    observability.init_app(app)

    @app.get("/")
    def index():
        return redirect(url_for("inbox.index"))

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app


class IdConverter(BaseConverter):
    """Database ids: 1..2^31-1, so an absurd number is a 404, not a database overflow."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_DB_INT:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def _forget_user(_exc=None) -> None:
    """The request's user was remembered for its services (auth.remember); a worker thread serves
    the next request for someone else."""
    get_services().auth.end_request()


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _reject_nul_bytes():
    """NUL characters are never meaningful input (and PostgreSQL refuses them in text). The query
    string is decoded only when it could hold one (%00), the form only when the body is a form:
    this runs before every request."""
    from werkzeug.exceptions import BadRequest
    environ = request.environ
    query = environ.get("QUERY_STRING", "")
    query_may_hold_nul = "%00" in query or "\x00" in query
    if "\x00" in request.path or (query_may_hold_nul and any("\x00" in v for v in request.args.values())):
        raise BadRequest("NUL characters are not allowed in input")
    if request.mimetype in _FORM_TYPES and any("\x00" in v for v in request.form.values()):
        raise BadRequest("NUL characters are not allowed in input")
    if request.is_json and b"\\u0000" in request.get_data():
        raise BadRequest("NUL characters are not allowed in input")


def _init_extensions(app: Flask) -> None:
    from . import auth
    from .limits import init_limits
    from .security import init_headers
    settings = app.extensions["xinfang.settings"]
    init_headers(app)
    init_limits(app, settings)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(auth.load_user)
    login_manager.request_loader(auth.load_user_from_request)
    login_manager.unauthorized_handler(auth.unauthorized)
    babel.init_app(app, default_locale="zh", default_timezone=app.extensions["xinfang.settings"].timezone,
                   default_translation_directories=str(TRANSLATIONS),
                   locale_selector=lambda: session.get("lang") or "zh")


def _register_blueprints(app: Flask) -> None:
    from . import admin, auth, cases, directory, documents, inbox, metrics, notifications, registration
    from .channels import public
    from .rest import api
    for module in (auth, inbox, cases, registration, public, admin, metrics, notifications, documents, directory):
        app.register_blueprint(module.bp)
    from . import editor; app.register_blueprint(editor.bp)  # noqa: E702
    from . import dashboard; app.register_blueprint(dashboard.bp)  # noqa: E702
    from . import analysis; app.register_blueprint(analysis.bp)  # noqa: E702
    from .channels import deputies, meetings, online, proposals
    app.register_blueprint(online.bp)
    app.register_blueprint(deputies.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(proposals.bp)
    from . import supervision; app.register_blueprint(supervision.bp)  # noqa: E702
    csrf.exempt(api.bp)      # the API checks CSRF itself for cookie sessions (bearer tokens need none)
    app.register_blueprint(api.bp)
    from .errors import register_error_handlers
    register_error_handlers(app)


def to_local(value) -> datetime | None:
    if not value:
        return None
    return local_time(value)


def _register_filters(app: Flask) -> None:
    from .formrender import render_answers, render_form
    from .labels import LABELS

    @app.template_filter("localtime")
    def localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
        local = to_local(value)
        return local.strftime(fmt) if local else ""

    @app.template_filter("localdate")
    def localdate(value) -> str:
        return localtime(value, "%Y-%m-%d")

    app.add_template_filter(deadline_label, "deadline")
    app.add_template_filter(lambda day: format_date(date.fromisoformat(day) if isinstance(day, str) else day, "long")
                            if day else "", "longdate")
    app.add_template_filter(last_day_label, "lastday")

    @app.context_processor
    def helpers():
        from flask_login import current_user
        groups = set(getattr(current_user, "groups", []) or [])
        return {"render_form": render_form, "render_answers": render_answers, "languages": LANGUAGES,
                "sep": _("、"), "lang": session.get("lang", "zh"),
                "user_groups": groups, "is_supervisor": bool(groups & SUPERVISORS),
                "is_office": bool(groups & OFFICE),
                "L": LABELS}


def last_day_label(value) -> str:
    """The last day of a deadline stored as 24:00 of that day, as a date in the reader's language."""
    day = last_day(value)
    return format_date(day, "long") if day else ""


def deadline_label(value, now: datetime | None = None) -> Markup:
    """截止 2026年12月9日（24时） · 剩3个工作日 — the one rule (office.dates.deadline) in words."""
    found = deadline(value, now)
    if found is None:
        return Markup("")
    if found["overdue"]:
        days = _("已超期%(n)d个工作日", n=found["working_days"]) if found["working_days"] else _("已超期")
    elif found["due_today"]:
        days = _("今日到期")
    else:
        days = _("剩%(n)d个工作日", n=found["working_days"])
    day = _("截止 %(day)s（24时）", day=last_day_label(value))
    late = " late" if found["overdue"] else ""
    return Markup(f'<span class="deadline{late}" data-last-day="{found["last_day"]}">{escape(day)} '
                  f'<span class="days">{escape(days)}</span></span>')


def get_services() -> Services:
    return current_app.extensions["xinfang.services"]


def client_address() -> str:
    return request.remote_addr or ""





def int_param(value, field: str, default: int | None = None) -> int:
    """A whole number from the request, or a 400 naming the field (never a 500)."""
    from engine.errors import ValidationFailed
    if value in (None, "") and default is not None:
        return default
    text = str(value).strip()
    if not re.fullmatch(r"-?[0-9]{1,10}", text, re.ASCII) or abs(int(text)) > MAX_DB_INT:
        raise ValidationFailed(f"{field} must be a whole number below {MAX_DB_INT + 1}",
                               [{"field": field, "message": "not a number"}])
    return int(text)


def flag_param(value, field: str) -> bool:
    """A yes/no request parameter (true/false, 1/0; absent is no), or a 400 naming the field."""
    from engine.errors import ValidationFailed
    text = str(value or "").strip().lower()
    if text not in ("", "0", "1", "true", "false"):
        raise ValidationFailed(f"{field} must be true or false", [{"field": field, "message": "not true or false"}])
    return text in ("1", "true")


def id_params(values: list[str]) -> list[int]:
    """Database ids from a multi-valued field; anything else (text, ², 10^20) is not an id here."""
    return [int(v) for v in values if re.fullmatch(r"[1-9][0-9]{0,9}", v, re.ASCII) and int(v) <= MAX_DB_INT]
