"""Sign-in and sign-out, the language switch, and personal API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from office.people.tokens import TooManyAttempts

from .app import LANGUAGES, client_address, get_services, int_param
from .errors import retry_message
from .limits import LOGIN, attempt, bearer_allowed, bearer_failed, limiter, succeeded
from .security import safe_next

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):
    def __init__(self, user: dict):
        self.username = user["username"]
        self.display_name = user.get("display_name") or self.username
        self.groups = list(user.get("groups") or [])
        self.unit = user.get("unit")
        self.generation = int(user.get("session_generation") or 0)

    def get_id(self) -> str:
        """What the session cookie carries: the session generation and the name. Signing out,
        a new password or deactivation bump the generation, so older cookies load nobody."""
        return f"{self.generation}:{self.username}"


def load_user(user_id: str) -> WebUser | None:
    generation, _, name = (user_id or "").partition(":")
    user = get_services().users.session_user(name) if name and generation.isdigit() else None
    if user is None or user["session_generation"] != int(generation):
        return None
    get_services().auth.remember(user)      # the service this request calls reads the user no more
    return WebUser(user)


def load_user_from_request(req) -> WebUser | None:
    """Bearer tokens, for /api/ only."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.lower().startswith("bearer "):
        return None
    bearer_allowed(client_address())
    user = get_services().auth.user_for_token(header[7:].strip())
    if user is None:
        bearer_failed(client_address())
        return None
    g.auth_via_token = True
    return WebUser(user)


def unauthorized():
    if request.path.startswith("/api/"):
        return {"error": "unauthorized", "message": "sign in first", "details": None}, 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def username() -> str:
    return current_user.username


@bp.route("/login", methods=["GET", "POST"])
def login():
    """A locked sign-in says when it frees (429 with Retry-After), in the reader's language."""
    error, status, headers = None, 200, {}
    if request.method == "POST":
        name = request.form.get("username", "").strip()[:64]
        try:
            attempt("login", LOGIN, name, client_address())
            user = get_services().auth.sign_in(name, request.form.get("password", ""))
        except TooManyAttempts as err:
            error, status = _("登录失败次数过多，此账号在本机暂时锁定。") + " " + retry_message(err.retry_after), 429
            headers = {"Retry-After": str(err.retry_after)} if err.retry_after else {}
        else:
            if user is None:
                error, status = _("用户名或密码错误"), 401
            else:
                succeeded("login", LOGIN, name, client_address())
                session.clear()
                login_user(WebUser(get_services().users.session_user(user["username"])))
                session.permanent = True
                return redirect(safe_next(request.args.get("next")))
    return render_template("login.html", error=error), status, headers


@bp.post("/logout")
def logout():
    """Signs out everywhere: this browser's cookie and any copy of it stop working."""
    if current_user.is_authenticated and not g.get("auth_via_token"):
        get_services().users.end_sessions(current_user.username)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str):
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.form.get("next")))


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
@limiter.limit("20 per hour", methods=["POST"], key_func=lambda: f"tokens:{getattr(current_user, 'username', '')}")
def tokens():
    svc = get_services()
    created = None
    if request.method == "POST":
        if request.form.get("revoke"):
            svc.auth.revoke_api_token(int_param(request.form["revoke"], "revoke"), user=username())
            flash(_("令牌已吊销"))
            return redirect(url_for("auth.tokens"))
        created = svc.auth.create_api_token(user=username(), name=request.form.get("name", ""))
    return render_template("tokens.html", tokens=svc.auth.list_api_tokens(user=username()), created=created)
