"""The OpenAPI paths and schemas of the two channels (webui/api.py): online petitions (网上信访, public)
and their 登记审核, the deputies' channel (directory, 代表转交), 代表建议 material and the 代表恳谈会.
Kept apart from webui/openapi.py so neither grows past the module limit; `channel_paths()` also
registers the schemas."""
from __future__ import annotations

from .openapi import (CASE_ID, DEADLINE, ERRORS, INT, NSTR, NTIME, OBJ, ROWS, SCHEMAS, STR, TIME, _body, _json,
                      _obj, _op, _q, _ref, _s)

SUBMISSION_ID = {**CASE_ID, "name": "submission_id"}
PROPOSAL_ID = {**CASE_ID, "name": "proposal_id"}
MEETING_ID = {**CASE_ID, "name": "meeting_id"}
FOLLOW_UP_ID = {**CASE_ID, "name": "follow_up_id"}

SCHEMAS["OnlinePetition"] = _obj({
    **{k: {"type": "string", "maxLength": n, "pattern": "^[^\\u0000]*$"} for k, n in (
        ("name", 50), ("id_number", 18), ("phone", 20), ("address", 200), ("subject", 200), ("content", 20000),
        ("region", 100))},
    "purpose": {"type": "string", "enum": ["揭发控告", "意见建议", "申诉", "求决", "其他"]},
    "consent": {"type": "boolean", "description": "consent to the processing of personal data (PIPL); must be true"},
    "attachments": {"type": "array", "maxItems": 5, "items": _obj({
        "filename": {"type": "string", "maxLength": 200}, "content_base64": {"type": "string"}})},
    "idempotency_key": {"type": "string", "maxLength": 100}},
    ["name", "id_number", "phone", "address", "subject", "content", "purpose", "region", "consent"])
SCHEMAS["OnlineReceipt"] = _obj({"number": STR, "query_code": STR, "state": STR, "state_label": STR})
SCHEMAS["OnlinePending"] = _obj({"id": INT, "number": STR, "submitted_at": TIME, "subject": STR, "petitioner": STR,
                                  "purpose": STR, "region": STR})
SCHEMAS["OnlineSubmission"] = _obj({
    "id": INT, "number": STR, "state": _s("string", enum=["pending", "registering", "registered", "returned"]),
    "state_label": STR, "submitted_at": TIME, "form": OBJ, "case_id": _s("integer", True), "return_reason": NSTR,
    "reviewed_by": NSTR, "files": {"type": "array", "items": _obj({"id": INT, "filename": STR, "content_type": STR,
                                                                   "size": INT})}})
SCHEMAS["DeputyCase"] = _obj({
    "case_id": INT, "reg_no": NSTR, "subject": STR, "station": NSTR, "referred_at": TIME, "stage": NSTR, "step": STR,
    "status": STR, "reply": {"type": "object", "nullable": True, "properties": {"outcome": NSTR, "text": NSTR}},
    "feedback_at": NTIME})
SCHEMAS["DeputyDirectory"] = _obj({
    "deputies": {"type": "array", "items": _obj({"id": INT, "name": STR, "delegation": STR, "contact": STR,
                                                 "username": NSTR, "active": _s("boolean")})},
    "stations": {"type": "array", "items": _obj({"id": INT, "name": STR, "region": NSTR,
                                                 "deputies": {"type": "array", "items": STR}})}})
PERSON = _obj({"name": {"type": "string", "maxLength": 200}, "phone": {"type": "string", "maxLength": 200},
               "address": {"type": "string", "maxLength": 200}}, [])
SCHEMAS["Referral"] = _obj({
    "station": {"type": "string", "maxLength": 100}, "subject": {"type": "string", "maxLength": 200},
    "content": {"type": "string"}, "purpose": {"type": "string", "enum": ["揭发控告", "意见建议", "申诉", "求决", "其他"]},
    "content_class": STR, "problem_region": STR, "channel": {"type": "string", "enum": ["来信", "来访", "网信", "电话"]},
    "anonymous": {"type": "boolean"}, "petitioners": {"type": "array", "items": PERSON}},
    ["station", "subject", "content", "purpose"])
SCHEMAS["Proposal"] = _obj({
    "id": INT, "kind": _s("string", enum=["代表建议", "议案"]), "title": STR, "topic": STR, "deputy": NSTR,
    "state": _s("string", enum=["proposed", "lodged", "answered"]), "state_label": STR, "number": NSTR,
    "lodged_at": NTIME, "answer": NSTR, "answered_at": NTIME, "case_ids": {"type": "array", "items": INT},
    "cases": {"type": "array", "items": _obj({"case_id": INT, "reg_no": NSTR, "subject": STR})},
    "created_by": STR, "created_at": TIME})
FOLLOW_UP = _obj({"id": INT, "meeting_id": INT, "case_id": _s("integer", True), "unit": STR, "unit_name": STR,
                  "task": STR, "due_at": TIME, "deadline": DEADLINE, "state": _s("string", enum=["open", "done"]),
                  "result": NSTR, "done_by": NSTR, "done_at": NTIME})
SCHEMAS["MeetingFollowUp"] = FOLLOW_UP
SCHEMAS["Meeting"] = _obj({
    "id": INT, "held_on": STR, "month": STR, "title": STR, "deputies": {"type": "array", "items": STR},
    "cases": {"type": "array", "items": _obj({"case_id": INT, "reg_no": NSTR, "subject": STR, "opinions": {
        "type": "array", "items": _obj({"deputy": STR, "opinion": STR})}})},
    "follow_ups": {"type": "array", "items": {"$ref": "#/components/schemas/MeetingFollowUp"}}})


def channel_paths() -> dict:
    public = _op("网上信访: a petitioner submits without an account. 201 gives the number and the query code, "
                 "shown once. Rate-limited per address and per ID number (429); the same Idempotency-Key "
                 "answers the same again (409 if the content differs). The office then checks it (登记审核).",
                 ("201", _ref("OnlineReceipt")), ("400", "409", "429"), op_id="submitOnlinePetition",
                 body=_body(_ref("OnlinePetition")),
                 params=[{"name": "Idempotency-Key", "in": "header", "required": False,
                          "schema": {"type": "string", "maxLength": 100, "pattern": "^[!-~]*$"}}])
    del public["responses"]["401"]
    public["security"] = []
    return {
        "/public/petitions": {"post": public},
        "/deputy/referrals": {
            "post": _op("代表转交: the signed-in deputy (group deputy) refers a constituent's petition through "
                        "one of their liaison stations; registered with 来源 人大代表转交, normal triage follows",
                        ("201", _obj({"case_id": INT, "reg_no": NSTR, "subject": STR, "station": STR,
                                      "stage": NSTR})),
                        ("400", "403"), op_id="referPetition", body=_body(_ref("Referral"))),
        },
        "/deputy/cases": {
            "get": _op("The signed-in deputy's own referrals: stage and, once served, the reply (no identities)",
                       ("200", {"type": "array", "items": _ref("DeputyCase")}), ("403",), op_id="listDeputyCases"),
        },
        "/deputies": {
            "get": _op("The directory of deputies and liaison stations (the office)", ("200", _ref("DeputyDirectory")),
                       ("403",), op_id="getDeputies"),
        },
        "/deputies/import": {
            "post": _op("Import deputies (name, delegation, contact, username) or stations (name, region, deputies "
                        "joined by 、) from CSV text; all or nothing",
                        ("200", {"allOf": [_ref("DeputyDirectory"), _obj({"kind": STR, "rows": INT})]}),
                        ("400", "403"), op_id="importDeputies",
                        body=_body(_obj({"kind": {"type": "string", "enum": ["deputies", "stations"]},
                                         "csv": {"type": "string"}}))),
        },
        "/deputies/referral-counts": {
            "get": _op("代表转交 counted by deputy and by liaison station (the office), optionally over a period "
                       "of Beijing dates (since, until: both included)",
                       ("200", _obj({"by_deputy": ROWS, "by_station": ROWS})), ("400", "403"),
                       op_id="getReferralCounts",
                       params=[_q("since", {"type": "string", "format": "date"}, "first day, YYYY-MM-DD"),
                               _q("until", {"type": "string", "format": "date"}, "last day, YYYY-MM-DD")]),
        },
        "/proposals": {
            "get": _op("Cases proposed as 代表建议/议案 material (一类事项→一项机制), newest first (the office)",
                       ("200", {"type": "array", "items": _ref("Proposal")}), ("403",), op_id="listProposals"),
            "post": _op("Mark a group of cases (or a hot topic's cases) as material for a 代表建议 or 议案",
                        ("201", _ref("Proposal")), ("400", "403"), op_id="createProposal",
                        body=_body(_obj({"kind": {"type": "string", "enum": ["代表建议", "议案"]},
                                         "title": {"type": "string", "minLength": 1, "maxLength": 200},
                                         "case_ids": {"type": "array", "minItems": 1, "items": INT},
                                         "topic": {"type": "string", "maxLength": 100},
                                         "deputy": {"type": "string", "maxLength": 50}},
                                        ["kind", "title", "case_ids"]))),
        },
        "/proposals/{proposal_id}/lodge": {
            "post": _op("Record the number the 代表建议/议案 got when lodged", ("200", _ref("Proposal")),
                        ("400", "403", "404", "409"), op_id="lodgeProposal", params=[PROPOSAL_ID],
                        body=_body(_obj({"number": {"type": "string", "minLength": 1, "maxLength": 50}}))),
        },
        "/proposals/{proposal_id}/answer": {
            "post": _op("Record the answer to the 代表建议/议案", ("200", _ref("Proposal")),
                        ("400", "403", "404", "409"), op_id="answerProposal", params=[PROPOSAL_ID],
                        body=_body(_obj({"answer": {"type": "string", "minLength": 1, "maxLength": 4000}}))),
        },
        "/cases/{case_id}/proposals": {
            "get": _op("The 代表建议/议案 a case is material for", ("200", {"type": "array", "items": _ref("Proposal")}),
                       ("403", "404"), op_id="getCaseProposals", params=[CASE_ID]),
        },
        "/meetings": {
            "post": _op("Record a 代表恳谈会: date, invited deputies (names), cases from the month's selection",
                        ("201", _ref("Meeting")), ("400", "403"), op_id="recordMeeting",
                        body=_body(_obj({"held_on": {"type": "string", "format": "date"},
                                         "month": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"},
                                         "title": {"type": "string", "maxLength": 200},
                                         "deputies": {"type": "array", "minItems": 1, "items": STR},
                                         "case_ids": {"type": "array", "minItems": 1, "items": INT}},
                                        ["held_on", "month", "deputies", "case_ids"]))),
        },
        "/meetings/{meeting_id}": {
            "get": _op("A 代表恳谈会 with its opinions and follow-up tasks", ("200", _ref("Meeting")), ("403", "404"),
                       op_id="getMeeting", params=[MEETING_ID]),
        },
        "/meetings/{meeting_id}/opinions": {
            "post": _op("A deputy's opinion on one of the meeting's cases (replaces an earlier one)",
                        ("200", _ref("Meeting")), ("400", "403", "404"), op_id="addMeetingOpinion",
                        params=[MEETING_ID], body=_body(_obj({"case_id": INT, "deputy": STR,
                                                              "opinion": {"type": "string", "minLength": 1}}))),
        },
        "/meetings/{meeting_id}/follow-ups": {
            "post": _op("A follow-up task to a unit, due at 24:00 of last_day", ("201", _ref("Meeting")),
                        ("400", "403", "404"), op_id="addMeetingFollowUp", params=[MEETING_ID],
                        body=_body(_obj({"unit": STR, "task": {"type": "string", "minLength": 1},
                                         "last_day": {"type": "string", "format": "date"},
                                         "case_id": _s("integer", True)}, ["unit", "task", "last_day"]))),
        },
        "/meeting-follow-ups/{follow_up_id}/done": {
            "post": _op("The unit (or the office) reports a follow-up task done", ("200", _ref("Meeting")),
                        ("400", "403", "404", "409"), op_id="finishMeetingFollowUp", params=[FOLLOW_UP_ID],
                        body=_body(_obj({"result": {"type": "string", "minLength": 1}}))),
        },
        "/meeting-follow-ups/overdue": {
            "get": _op("Open follow-up tasks past their last day (the 恳谈会's 督办 list)",
                       ("200", {"type": "array", "items": _ref("MeetingFollowUp")}), ("403",),
                       op_id="listOverdueFollowUps"),
        },
        "/meetings/{meeting_id}/minutes.docx": {
            "get": {**_op("The minutes (会议纪要) as .docx", ("200", OBJ), ("403", "404"), op_id="getMeetingMinutes",
                          params=[MEETING_ID]),
                    "responses": {"200": {"description": "the .docx", "content": {
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                            "schema": {"type": "string", "format": "binary"}}}},
                        **{c: _json(_ref("Error"), ERRORS[c]) for c in ("401", "403", "404")}}},
        },
        "/online": {
            "get": _op("网上信访 waiting for 登记审核, oldest first, names masked (office staff)",
                       ("200", {"type": "array", "items": _ref("OnlinePending")}), ("403",), op_id="listOnline"),
        },
        "/online/{submission_id}": {
            "get": _op("One online petition, decrypted for the clerk (the opening is logged)",
                       ("200", _ref("OnlineSubmission")), ("403", "404"), op_id="getOnline",
                       params=[SUBMISSION_ID]),
        },
        "/online/{submission_id}/register": {
            "post": _op("登记: register it (信访形式 网信); the normal triage follows and the case keeps the "
                        "petitioner's query code",
                        ("201", _obj({"submission": INT, "number": STR, "case_id": INT, "reg_no": NSTR})),
                        ("400", "403", "404", "409"), op_id="registerOnline", params=[SUBMISSION_ID],
                        body=_body(_obj({"content_class": {"type": "string", "maxLength": 20},
                                         "sensitive": {"type": "boolean"}, "urgent": {"type": "boolean"}},
                                        ["content_class"]))),
        },
        "/online/{submission_id}/return": {
            "post": _op("退回: return it with a reason the petitioner reads in self-service",
                        ("200", _obj({"submission": INT, "number": STR, "state": STR})),
                        ("400", "403", "404", "409"), op_id="returnOnline", params=[SUBMISSION_ID],
                        body=_body(_obj({"reason": {"type": "string", "minLength": 1, "maxLength": 2000}}))),
        },
    }
