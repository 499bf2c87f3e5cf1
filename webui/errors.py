"""Domain exceptions → HTTP status codes, once for the whole app.

API paths (/api/) answer JSON {error, message, details}; pages render an error page.
Bad input is never a 500 and never shows a traceback.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from engine.errors import (CaseFailed, Conflict, InvalidDiagram, NotAllowed, NotFound, ValidationFailed,
                           XinfangError)
from office.people.tokens import TooManyAttempts

log = logging.getLogger(__name__)

STATUS = [(TooManyAttempts, 429), (NotFound, 404), (NotAllowed, 403), (Conflict, 409), (CaseFailed, 409),
          (InvalidDiagram, 422), (ValidationFailed, 400)]


# What each status means to the person reading the page, in the chosen language.
TITLES = {400: _l("提交的内容有误"), 401: _l("请先登录"), 403: _l("无权访问"), 404: _l("找不到该页面或记录"),
          405: _l("不支持此操作"), 409: _l("操作未完成：情况已变化"), 413: _l("文件过大"), 422: _l("流程图有误"),
          429: _l("尝试次数过多"), 500: _l("系统出错"), 503: _l("服务暂时不可用")}
EXPLANATIONS = {
    400: _l("请根据下面的提示修改后重新提交；没有保存任何内容。"),
    403: _l("您的账号没有执行此操作或查看此内容的权限。如确需办理，请联系信访办主任或系统管理员。"),
    404: _l("要找的页面或记录不存在，可能已被删除或地址有误。"),
    409: _l("这条记录刚被别人改动过，或者已经不在这一步。请刷新后再试。"),
    429: _l("为保护账号和信访人信息，暂时不能再试。"),
    500: _l("系统遇到了意外错误，已记录在日志中；您的操作没有生效，请稍后再试。"),
    503: _l("系统暂时无法访问数据库；已提交的数据不会丢失，未完成的操作没有生效，请稍后重新提交。"),
}


def retry_message(seconds: int | None) -> str:
    """When the next attempt is allowed, as a clock time and a number of minutes."""
    if not seconds:
        return _("请稍后再试。")
    from engine.clock import utcnow
    from office.dates import local_time
    at = local_time(utcnow() + timedelta(seconds=seconds))
    return _("请于 %(time)s 之后再试（约 %(minutes)d 分钟后解除锁定）。", time=at.strftime("%H:%M"),
             minutes=max(1, -(-seconds // 60)))


def status_of(err: XinfangError) -> int:
    return next((code for cls, code in STATUS if isinstance(err, cls)), 400)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, details=None, retry_after: int | None = None):
    """JSON for the API; for pages, what happened and what to do in the reader's language, with the
    specific message beneath. `retry_after` (seconds) says when a locked attempt frees."""
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    if wants_json():
        response = jsonify({"error": code, "message": message, "details": details})
        response.status_code = status
        response.headers.update(headers)
        return response
    explanation = str(EXPLANATIONS.get(status, EXPLANATIONS[500] if status >= 500 else ""))
    if status == 429:
        explanation = f"{explanation} {retry_message(retry_after)}"
    page = render_template("error.html", status=status, title=TITLES.get(status, _("出错了")), explanation=explanation,
                           message="" if status >= 500 else message,
                           details=details if isinstance(details, list) else None)
    return page, status, headers


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(XinfangError)
    def domain_error(err: XinfangError):
        message = err.message
        if isinstance(err, CaseFailed):
            message = f"{err.message}. The case is now in error; a director can retry it once the cause is fixed."
        return error_response(status_of(err), err.code, message, err.details, getattr(err, "retry_after", None))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(err.code or 500, code, err.description or err.name)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "An unexpected error occurred; it has been logged.")
