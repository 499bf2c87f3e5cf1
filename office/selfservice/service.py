"""Petitioner self-service without an account (attempts are limited at the web edge, webui/limits.py): status by registration number + query code,
satisfaction evaluation and a request for review (复查), delivered into the waiting workflow.

Contract with the processes (docs/architecture.md, "Self-service contract"): the process opens
a user task with bpmn id `evaluate` (or `request_review`) while the window is open; the
petitioner's answer completes it as data {unit_satisfaction, office_satisfaction,
evaluation_comment} — the handling unit's rating and, when given, the office's — (or
{review_requested, review_reason}). A task of an older form version, which asked one rating
(`satisfaction`), gets the unit's. When no such task is open, the window is closed.
"""
from __future__ import annotations

import hmac

from sqlalchemy import select

from engine.bpmn import runtime
from engine.clock import utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.projection import record
from engine.steps import Action
from engine.store import repository
from engine.store.models import Case, HumanTask
from office.access import check_case_visible
from office.dates import deadline, local_time
from office.people.audit import log_access
from office.selfservice import codes
from office.selfservice.codes import code_hash

EVALUATE_TASK, REVIEW_TASK, RECHECK_TASK = "evaluate", "request_review", "request_recheck"
# The petitioner's windows: steps open while they may act, not work for the office's inboxes.
WINDOWS = {EVALUATE_TASK: "evaluate", REVIEW_TASK: "review_request", RECHECK_TASK: "recheck_request"}
RATINGS = ("满意", "基本满意", "不满意")
SELF_SERVICE_ACTOR = "petitioner"
NOT_FOUND = "登记号或查询码不正确 (registration number or query code is wrong)"


class SelfService:
    """The petitioner's side (status, rating, 复查 request) and the office's re-issue of a code."""

    def __init__(self, core, auth, identities, documents, other_numbers=None):
        self.core = core
        self.auth = auth
        self.identities = identities
        self.documents = documents        # (session, case, now, actor) -> DocumentStore
        # (session, number, code) -> the case registered from it, its own view (a 网上信访 still in
        # 登记审核 or returned), or None: numbers the petitioner got before there was a case
        self.other_numbers = other_numbers or (lambda session, number, code: None)

    def _matching_case(self, session, reg_no: str, code: str) -> Case | None:
        case = repository.case_by_reg_no(session, (reg_no or "").strip()[:40]) if reg_no else None
        if case is None:
            found = self.other_numbers(session, reg_no, code)
            case = found if isinstance(found, Case) else None
        if case is None or not case.query_code_hash or not code or \
                not hmac.compare_digest(case.query_code_hash, code_hash(code)):
            return None
        return case

    def _public_case(self, session, reg_no: str, code: str) -> Case:
        case = self._matching_case(session, reg_no, code)
        if case is None:
            raise NotFound(NOT_FOUND)
        return case

    def public_status(self, reg_no: str, code: str, *, client: str = "") -> dict:
        """What the petitioner may see: where the case stands in plain words (`step`), the reply and
        review decisions once served, the rating and review windows with their last days, and
        what they may do next. Nothing about units, staff or other people."""
        with self.core.uow(write=False) as uow:
            found = self.other_numbers(uow.session, reg_no, code)
            if isinstance(found, dict):
                return found
            case = self._public_case(uow.session, reg_no, code)
            open_ids = {t.bpmn_id for t in repository.open_tasks_of_case(uow.session, case.id)}
            data = runtime.workflow_data(self.core.runner.workflow_of(case))
            return public_view(case, data, open_ids)

    def public_evaluate(self, reg_no: str, code: str, *, unit_rating: str, office_rating: str | None = None,
                        comment: str = "", client: str = "") -> dict:
        """The petitioner rates the handling unit (required) and the office (optional), separately."""
        if unit_rating not in RATINGS:
            raise ValidationFailed("请选择对承办单位的评价：满意、基本满意或不满意",
                                   [{"field": "unit_rating", "message": "required"}])
        if office_rating not in (None, "", *RATINGS):
            raise ValidationFailed("对信访办的评价应为满意、基本满意或不满意",
                                   [{"field": "office_rating", "message": "unknown"}])
        data = {"unit_satisfaction": unit_rating, "evaluation_comment": (comment or "").strip()[:2000]}
        if office_rating:
            data["office_satisfaction"] = office_rating
        return self._deliver(reg_no, code, client, EVALUATE_TASK, data)

    def public_request_review(self, reg_no: str, code: str, *, reason: str, client: str = "") -> dict:
        reason = (reason or "").strip()
        if not reason or len(reason) > 4000:
            raise ValidationFailed("请写明申请复查的理由", [{"field": "reason", "message": "required"}])
        return self._deliver(reg_no, code, client, REVIEW_TASK, {"review_requested": True, "review_reason": reason})

    def _deliver(self, reg_no: str, code: str, client: str, bpmn_id: str, data: dict) -> dict:
        with self.core.uow() as uow:
            case = self._public_case(uow.session, reg_no, code)
            task = uow.session.scalars(select(HumanTask).where(
                HumanTask.case_id == case.id, HumanTask.state == "open", HumanTask.bpmn_id == bpmn_id)).first()
            if task is None:
                raise Conflict("现在不能办理此项（期限已过或尚未到此环节） (not open now)")
            data = _for_version(data, self.core.forms.get(task.form_key, case))
            errors = self.core.forms.validate(task.form_key, data, case)
            if errors:
                raise ValidationFailed("the answer does not fit the process's form", errors)
            self.core.step_in(uow, case, Action.complete(SELF_SERVICE_ACTOR, task.task_uuid, data))
        return self.public_status(reg_no, code, client=client)

    # -- the office's side ------------------------------------------------------------------
    def reissue_query_code(self, case_id: int, *, user: str, reason: str = "") -> dict:
        """A new code for a petitioner who lost theirs: the old one stops working at once, a new
        回执 prints the new one, and the case's record says who did it and why (never the code)."""
        now = utcnow()
        with self.core.uow() as uow:
            session = uow.session
            actor = self.core.actor(session, user)
            case = repository.get_case(session, case_id)
            check_case_visible(actor, case, session)
            if not actor.meets_petitioners:
                raise NotAllowed("only the office's staff who meet petitioners issue query codes")
            if not case.reg_no:
                raise Conflict(f"case {case_id} has no registration number yet")
            code = codes.issue(session, self.identities.keys, case, by=user, now=now)
            receipt = self._receipt(session, case, now, user)
            record(session, case_id, "query_code_reissued", actor=user, at=now, message=(reason or "").strip()[:500],
                   data={"receipt": receipt})
            log_access(session, user, "query_code", case_id, (reason or "").strip()[:500])
            uow.commit()
            return {"case_id": case_id, "reg_no": case.reg_no, "query_code": code, "receipt": receipt}

    def _receipt(self, session, case: Case, now, user: str) -> int | None:
        from processes.notices import context
        store = self.documents(session, case, now, user)
        data = runtime.workflow_data(self.core.runner.workflow_of(case))
        fields = context("回执", data, reg_no=case.reg_no, today=local_time(now).date(), names=store.names(),
                         office=store.office, query_code=store.query_code() or "")
        return store.render("回执", **fields).id

    def current_code(self, case_id: int, *, user: str) -> str | None:
        """The code in force, for the registration page right after registering (office only)."""
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            check_case_visible(actor, repository.get_case(uow.session, case_id), uow.session)
            if not actor.meets_petitioners:
                raise NotAllowed("only the office's staff who meet petitioners see query codes")
            return codes.current(uow.session, self.identities.keys, case_id)


PROGRESS = (("closed", None), ("replied", "replied"), ("reported", "reported"), ("handling", "unit_signed"),
            ("routed", "routed"), ("accepted", "accepted"))
REVIEW_STEPS = {"review_decide": "reviewing", "request_recheck": "review_decided", "recheck_plan": "rechecking",
                "hearing": "rechecking", "recheck_decide": "rechecking"}


def public_step(case: Case, data: dict, open_ids: set[str]) -> str:
    """Where the case stands, as a key the page words plainly (webui/public.py)."""
    if case.status == "complete":
        return "concluded" if data.get("concluded") else "closed"
    for bpmn_id, step in REVIEW_STEPS.items():
        if bpmn_id in open_ids:
            return step
    milestones = data.get("milestones") or {}
    return next((step for step, name in PROGRESS[1:] if name in milestones), "registered")


def public_view(case: Case, data: dict, open_ids: set[str]) -> dict:
    deadlines = data.get("deadlines") or {}
    windows = [{"kind": kind, "open": bpmn_id in open_ids, "deadline": deadline(deadlines.get(kind))}
               for bpmn_id, kind in WINDOWS.items() if deadlines.get(kind)]
    replied = "replied" in (data.get("milestones") or {})
    reply = {"outcome": data.get("outcome"), "text": data.get("reply_text") or data.get("answer"),
             "legal_basis": data.get("legal_basis")} if replied or data.get("answer") else None
    review = {"stage": data.get("review_stage"), "decision": data.get("decision"), "opinion": data.get("opinion"),
              "concluded": bool(data.get("concluded"))} if data.get("review_stage") else None
    return {"reg_no": case.reg_no, "status": case.status, "stage": case.stage,
            "step": public_step(case, data, open_ids), "route": data.get("route"),
            "received_at": case.created_at.isoformat(),
            "completed_at": case.completed_at.isoformat() if case.completed_at else None,
            "reply": reply, "review": review, "rating": data.get("rating"),
            "review_requested": bool(data.get("review_requested")), "windows": windows,
            "can_evaluate": EVALUATE_TASK in open_ids, "can_request_review": REVIEW_TASK in open_ids,
            "can_request_recheck": RECHECK_TASK in open_ids}


def _for_version(data: dict, form: dict | None) -> dict:
    """An evaluation form of an older version asks one rating, `satisfaction`: the unit's."""
    fields = (form or {}).get("properties") or {}
    if "unit_satisfaction" not in data or "unit_satisfaction" in fields or "satisfaction" not in fields:
        return data
    legacy = {k: v for k, v in data.items() if k not in ("unit_satisfaction", "office_satisfaction")}
    return {**legacy, "satisfaction": data["unit_satisfaction"]}
