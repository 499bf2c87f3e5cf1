"""Petitioner self-service without an account: status by registration number + query code,
satisfaction evaluation and a request for review (复查), delivered into the waiting workflow.

Contract with the processes (docs/architecture.md, "Self-service contract"): the process opens
a user task with bpmn id `evaluate` (or `request_review`) while the window is open; the
petitioner's answer completes it as data {unit_satisfaction, office_satisfaction,
evaluation_comment} — the handling unit's rating and, when given, the office's — (or
{review_requested, review_reason}). A task of an older form version, which asked one rating
(`satisfaction`), gets the unit's. When no such task is open, the window is closed.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import select

from engine.store import repository
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.store.models import Case, HumanTask
from engine.steps import Action

EVALUATE_TASK, REVIEW_TASK = "evaluate", "request_review"
RATINGS = ("满意", "基本满意", "不满意")
LOOKUP_LIMIT, LOOKUP_WINDOW = 10, timedelta(minutes=15)
SELF_SERVICE_ACTOR = "petitioner"
NOT_FOUND = "登记号或查询码不正确 (registration number or query code is wrong)"


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


class SelfService:
    """What a petitioner may do with a registration number and query code, without an account."""

    def __init__(self, core, auth):
        self.core = core
        self.auth = auth

    def _matching_case(self, session, reg_no: str, code: str) -> Case | None:
        case = repository.case_by_reg_no(session, (reg_no or "").strip()[:40]) if reg_no else None
        if case is None or not case.query_code_hash or not code or \
                not hmac.compare_digest(case.query_code_hash, code_hash(code)):
            return None
        return case

    def _public_case(self, session, reg_no: str, code: str) -> Case:
        case = self._matching_case(session, reg_no, code)
        if case is None:
            raise NotFound(NOT_FOUND)
        return case

    def _checked(self, reg_no: str, code: str, client: str) -> None:
        """Counts failures per client address and per registration number (against guessing codes)."""
        for key in (f"public:{client}", f"public-reg:{(reg_no or '').strip()}"):
            self.auth.throttle_check(key, LOOKUP_LIMIT, LOOKUP_WINDOW)

    def _failed(self, reg_no: str, client: str) -> None:
        for key in (f"public:{client}", f"public-reg:{(reg_no or '').strip()}"):
            self.auth.throttle_hit(key)

    def public_status(self, reg_no: str, code: str, *, client: str = "") -> dict:
        """Only what the petitioner may see: stage, dates and which answers are open."""
        self._checked(reg_no, code, client)
        try:
            with self.core.uow(write=False) as uow:
                case = self._public_case(uow.session, reg_no, code)
                open_ids = {t.bpmn_id for t in repository.open_tasks_of_case(uow.session, case.id)}
                return {"reg_no": case.reg_no, "status": case.status, "stage": case.stage,
                        "received_at": case.created_at.isoformat(),
                        "completed_at": case.completed_at.isoformat() if case.completed_at else None,
                        "can_evaluate": EVALUATE_TASK in open_ids, "can_request_review": REVIEW_TASK in open_ids}
        except NotFound:
            self._failed(reg_no, client)
            raise

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
        self._checked(reg_no, code, client)
        with self.core.uow(write=False) as uow:
            case = self._matching_case(uow.session, reg_no, code)
        if case is None:                 # counted outside the write transaction it would wait for
            self._failed(reg_no, client)
            raise NotFound(NOT_FOUND)
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


def _for_version(data: dict, form: dict | None) -> dict:
    """An evaluation form of an older version asks one rating, `satisfaction`: the unit's."""
    fields = (form or {}).get("properties") or {}
    if "unit_satisfaction" not in data or "unit_satisfaction" in fields or "satisfaction" not in fields:
        return data
    legacy = {k: v for k, v in data.items() if k not in ("unit_satisfaction", "office_satisfaction")}
    return {**legacy, "satisfaction": data["unit_satisfaction"]}
