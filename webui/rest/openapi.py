"""The OpenAPI 3.0 document of /api/v1, written by hand to match webui/api.py exactly.

tests/e2e/web/test_api.py validates real responses against these schemas.
"""
from __future__ import annotations

from copy import deepcopy


def _s(type_: str, nullable: bool = False, **extra) -> dict:
    out = {"type": type_, **extra}
    if nullable:
        out["nullable"] = True
    return out


STR, NSTR, INT = _s("string"), _s("string", True), _s("integer")
TIME, NTIME = _s("string", format="date-time"), _s("string", True, format="date-time")
OBJ = {"type": "object", "additionalProperties": True}

CASE_SUMMARY = {
    "id": INT, "reg_no": NSTR, "status": _s("string", enum=["running", "complete", "suspended", "error", "terminated"]),
    "process_key": STR, "version": INT, "subject": STR, "category": NSTR, "channel": NSTR, "unit": NSTR,
    "region": NSTR, "petitioner": STR, "stage": NSTR, "due_at": NTIME, "next_timer_at": NTIME, "created_at": TIME,
    "updated_at": TIME, "completed_at": NTIME, "error": NSTR, "error_task": NSTR,
}
TASK = {
    "id": STR, "case_id": INT, "bpmn_id": STR, "name": STR, "lane": NSTR, "groups": {"type": "array", "items": STR},
    "assignee": NSTR, "due_at": NTIME, "priority": INT, "form_key": NSTR,
    "state": _s("string", enum=["open", "completed", "cancelled"]), "created_at": TIME, "completed_at": NTIME,
    "completed_by": NSTR, "reg_no": NSTR, "subject": STR, "category": NSTR, "unit": NSTR, "region": NSTR,
    "channel": NSTR, "petitioner": STR,
}
DEADLINE = {"type": ["object", "null"], "properties": {"last_day": STR, "overdue": _s("boolean"),
                                                      "working_days": INT, "due_today": _s("boolean")}}
INBOX_TASK_EXTRA = {"owner": NSTR, "overdue": _s("boolean"), "deadline": DEADLINE}


def _obj(props: dict, required: list[str] | None = None, extra: dict | None = None) -> dict:
    """Every property in `props` is required unless `required` says otherwise; `extra` ones are optional."""
    return {"type": "object", "properties": {**props, **(extra or {})},
            "required": sorted(list(props) if required is None else required)}


def _page_of(ref: str, filters: bool = False) -> dict:
    """A page: `total` is null when the rows go on past this page and no count was asked for."""
    props = {"items": {"type": "array", "items": {"$ref": ref}}, "total": _s("integer", True), "page": INT,
             "per_page": INT, "pages": INT, "more": _s("boolean"), "total_capped": _s("boolean")}
    if filters:
        props["filters"] = OBJ
    return _obj(props)


SCHEMAS = {
    "Error": _obj({"error": STR, "message": STR, "details": {"nullable": True}}),
    "CaseSummary": _obj(CASE_SUMMARY),
    "Task": _obj(TASK, extra={"owner": NSTR, "form": {"type": "object", "nullable": True,
                                                      "additionalProperties": True}}),
    "InboxTask": _obj({**TASK, **INBOX_TASK_EXTRA}),
    "CasePage": _obj({
        **CASE_SUMMARY, "data": OBJ,
        "tasks": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Task"}, _obj(
            {"owner": NSTR, "actions": {"type": "array", "items": STR}})]}},
        "timers": {"type": "array", "items": OBJ}, "events": {"type": "array", "items": OBJ},
        "comments": {"type": "array", "items": _obj({"id": INT, "case_id": INT, "task_id": NSTR, "author": STR,
                                                     "body": STR, "at": TIME})},
        "attachments": {"type": "array", "items": _obj({
            "id": INT, "case_id": INT, "task_id": NSTR, "filename": STR, "content_type": STR, "size": INT,
            "sha256": STR, "uploaded_by": STR, "at": TIME})},
        "documents": {"type": "array", "items": {}}, "actions": {"type": "array", "items": STR},
        "state_bytes": INT}),
    "Process": _obj({"key": STR, "version": INT, "name": STR, "hash": STR, "deployed_by": STR,
                     "deployed_at": TIME, "running_cases": INT}),
    "Deployed": _obj({"key": STR, "version": INT, "new": _s("boolean")}),
    "Counts": _obj({"as_of": TIME, "cases_by_status": {"type": "object", "additionalProperties": INT},
                    "open_cases_by_category": {"type": "object", "additionalProperties": INT},
                    "overdue_cases": INT, "open_tasks": INT, "overdue_tasks": INT}),
}
SCHEMAS["CaseList"] = _page_of("#/components/schemas/CaseSummary")
SCHEMAS["TaskList"] = _page_of("#/components/schemas/InboxTask", filters=True)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {"400": "bad input", "401": "not signed in", "403": "not allowed", "404": "not found",
          "409": "conflict (already claimed, case changed or in error)", "422": "invalid diagram",
          "413": "request or field too large", "415": "unsupported content type", "429": "too many attempts"}


def _op(summary: str, ok: tuple[str, dict], errors: tuple[str, ...], *, params=None, body=None, op_id: str) -> dict:
    responses = {ok[0]: _json(ok[1], "success")}
    # Every operation with a body also answers 413 (too large) and 415 (not JSON / not multipart).
    for code in ("401", *errors, *(("413", "415") if body else ())):
        responses[code] = _json(_ref("Error"), ERRORS[code])
    out = {"summary": summary, "operationId": op_id, "responses": responses}
    if params:
        out["parameters"] = params
    if body:
        out["requestBody"] = body
    return out


NO_NUL = "^[^\\u0000]*$"          # the app refuses NUL characters in any input


def _q(name: str, schema: dict, description: str = "") -> dict:
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        schema = {**schema, "pattern": NO_NUL}
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


PAGING = [_q("page", {"type": "integer", "minimum": 1, "maximum": 100000}),
          _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200}),
          _q("count", {"type": "string", "enum": ["true", "false", "1", "0"]},
             "count every match (capped at 1000) when the rows go on past this page; "
             "without it `total` is null there and `more` says a next page follows")]
TASK_ID = {"name": "task_id", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": "^[0-9A-Za-z-]{1,64}$"}}
CASE_ID = {"name": "case_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}
MONTH = _q("month", {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}, "e.g. 2026-10; default this month")
ROWS = {"type": "array", "items": {"type": "object"}}
TASK_FILTERS = [
    _q("view", {"type": "string", "enum": ["inbox", "mine", "groups", "all", "delegated"]},
       "all: directors and administrators only"),
    *[_q(k, {"type": "string", "maxLength": 100}) for k in ("category", "region", "unit", "channel", "search",
                                                              "assignee")],
    _q("overdue", {"type": "string", "enum": ["true", "false"]}),
    _q("due_before", {"type": "string", "format": "date-time"}),
    _q("sort", {"type": "string", "enum": ["due_at", "created_at", "priority", "reg_no", "category", "subject"]}),
    _q("desc", {"type": "string", "enum": ["true", "false"]}),
]


def _body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def spec() -> dict:
    paths = {
        "/cases": {
            "get": _op("List cases visible to you", ("200", _ref("CaseList")), ("400",), op_id="listCases",
                       params=[_q("status", {"type": "string", "maxLength": 16}), *PAGING]),
            "post": _op("Start a case of a deployed process (office staff)", ("201", _ref("CaseSummary")),
                        ("400", "403", "404", "409"), op_id="createCase", body=_body(_obj(
                            {"process_key": {"type": "string", "minLength": 1, "maxLength": 128},
                             "data": OBJ, "version": {"type": "integer", "minimum": 1}}, ["process_key"]))),
        },
        "/cases/{case_id}": {
            "get": _op("A case with its data (identities masked by role), tasks, events, comments and attachments",
                       ("200", _ref("CasePage")), ("403", "404"), op_id="getCase", params=[CASE_ID]),
        },
        "/tasks": {
            "get": _op("Your inbox, filtered and sorted", ("200", _ref("TaskList")), ("400", "403"),
                       op_id="listTasks", params=[*TASK_FILTERS, *PAGING]),
        },
        "/tasks/{task_id}": {
            "get": _op("A task with its form (JSON Schema)", ("200", _ref("Task")), ("403", "404"),
                       op_id="getTask", params=[TASK_ID]),
        },
        "/tasks/{task_id}/claim": {
            "post": _op("Claim a task of your group", ("200", _ref("Task")), ("400", "403", "404", "409"),
                        op_id="claimTask", params=[TASK_ID]),
        },
        "/tasks/{task_id}/unclaim": {
            "post": _op("Give a claimed task back to its group", ("200", _ref("Task")), ("400", "403", "404", "409"),
                        op_id="unclaimTask", params=[TASK_ID]),
        },
        "/tasks/{task_id}/assign": {
            "post": _op("Assign a task to a member of its group", ("200", _ref("Task")),
                        ("400", "403", "404", "409"), op_id="assignTask", params=[TASK_ID],
                        body=_body(_obj({"assignee": {"type": "string", "minLength": 1, "maxLength": 64}}))),
        },
        "/tasks/{task_id}/complete": {
            "post": _op("Complete a task with its form data (validated against the form)", ("200", _ref("CaseSummary")),
                        ("400", "403", "404", "409"), op_id="completeTask", params=[TASK_ID],
                        body=_body(_obj({"data": OBJ}, []), required=False)),
        },
        "/processes": {
            "get": _op("Deployed process versions", ("200", {"type": "array", "items": _ref("Process")}), (),
                       op_id="listProcesses"),
            "post": _op("Deploy BPMN files as one bundle (analysts, administrators)",
                        ("201", {"type": "array", "items": _ref("Deployed")}), ("400", "403", "422"),
                        op_id="deployProcesses", body={"required": True, "content": {
                            "application/json": {"schema": _obj({"files": {
                                "type": "object", "additionalProperties": {"type": "string"}}})},
                            "multipart/form-data": {"schema": _obj({"files": {
                                "type": "array", "items": {"type": "string", "format": "binary"}}})}}}),
        },
        "/kpis": {
            "get": _op("Counts of cases by status and category and of overdue work, in your scope",
                       ("200", _ref("Counts")), ("403",), op_id="getCounts"),
        },
        "/kpis/figures": {
            "get": _op("KPI figures (及时受理率, 按期办结率, 参评率, 满意率, ...) of a month, in your scope",
                       ("200", _obj({"month": {"type": "string"}, "from": TIME, "to": TIME,
                                     "figures": {"type": "array", "items": {"type": "object"}}})),
                       ("400", "403"), op_id="getKpiFigures",
                       params=[dict(_q("month", {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}, "e.g. 2026-10"),
                                    required=True),
                               _q("by", {"type": "string", "enum": ["unit", "category", "region", "channel",
                                                                    "organ"]}, "group the figures")]),
        },
        "/analysis/hotspots": {
            "get": _op("热点分析: the topics of one month (or several ending with it), the topics rising against "
                       "the month before, and suggested supervision topics; in your scope",
                       ("200", _obj({"month": STR, "first_month": STR, "cases": {"type": "integer"},
                                     "topics": ROWS, "rising": ROWS, "suggestions": ROWS})),
                       ("400", "403"), op_id="getHotspots",
                       params=[MONTH, _q("months", {"type": "integer", "minimum": 1}, "months ending with month"),
                               _q("by", {"type": "string", "enum": ["region", "organ"]}, "group the topics"),
                               _q("region", STR, "one region only"), _q("organ", STR, "one organ only"),
                               _q("limit", {"type": "integer", "minimum": 1}, "suggestions at most")]),
        },
        "/analysis/selection": {
            "get": _op("代表恳谈会选案: the month's cases proposed for the deputies' meeting, with their reasons "
                       "(the office's leadership and analysts)",
                       ("200", _obj({"month": STR, "limit": {"type": "integer"}, "cases": ROWS})),
                       ("400", "403"), op_id="getMeetingSelection",
                       params=[MONTH, _q("limit", {"type": "integer", "minimum": 1}, "cases at most")]),
        },
        "/analysis/evaluation": {
            "get": _op("评: courts and procuratorates of a period ranked by the weighted score "
                       "(the office's leadership and legal advisers)",
                       ("200", _obj({"period": STR, "weights": {"type": "object"}, "organs": ROWS})),
                       ("400", "403"), op_id="getOrganEvaluation",
                       params=[_q("period", {"type": "string", "pattern": "^\\d{4}(-(H[12]|Q[1-4]|\\d{2}))?$"},
                                  "2026, 2026-H1, 2026-Q3 or 2026-10; default this year")]),
        },
    }
    from .openapi_channels import channel_paths
    paths.update(channel_paths())
    return deepcopy({
        "openapi": "3.0.3",
        "info": {"title": "Xinfang API", "version": "1.0.0",
                 "description": "Case handling for a people's congress petition office. Errors are "
                                "{error, message, details}. Authenticate with a session cookie (and X-CSRFToken "
                                "for writes) or 'Authorization: Bearer <token>' (tokens: /tokens)."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}}},
    })
