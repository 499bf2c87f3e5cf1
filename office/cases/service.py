"""Cases as the office handles them: open, read, list, reveal identities, suspend, retry and
move a deadline. Every method opens its own unit of work and returns plain dicts."""
from __future__ import annotations

from datetime import datetime

from engine import queries
from engine.clock import parse_instant, utcnow
from engine.core import Core
from engine.errors import Conflict, NotAllowed, ValidationFailed
from engine.inputs import checked_object
from engine.projection import record
from engine.steps import Action, StepOutcome
from engine.store import repository
from office.access import SYSTEM, check_can_reveal, check_case_visible
from office.cases import queries as case_queries
from office.people.audit import log_access
from office.people.identity import Identities


def summary(outcome: StepOutcome) -> dict:
    """A case after a step, with its open tasks, so a caller can go straight to the next one."""
    return queries.case_summary(outcome.case, outcome.open_tasks)


class Cases:
    def __init__(self, core: Core, identities: Identities):
        self.core = core
        self.identities = identities

    def start_case(self, key: str, data: dict | None = None, *, user: str = "system",
                   version: int | None = None) -> dict:
        data = checked_object(data, "case data")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                    or not 1 <= version <= 2**31 - 1):
            raise ValidationFailed(f"version must be a whole number from 1, not {version!r}")
        return summary(self.core.start(key, data, actor=user, version=version))

    def open_case(self, process_key: str, data: dict | None = None, *, user: str, version: int | None = None) -> dict:
        """A case started by hand (the REST API): the petition office only."""
        with self.core.uow(write=False) as uow:
            if not self.core.actor(uow.session, user).is_office:
                raise NotAllowed("only the petition office opens cases")
        return self.start_case(process_key, data, user=user, version=version)

    def get_case(self, case_id: int, *, user: str | None = None, events: int = 200) -> dict:
        """With a `user`, access is checked and the opening is written to the access log."""
        with self.core.uow(write=user is not None) as uow:
            case = repository.get_case(uow.session, case_id)
            if user is not None:
                actor = self.core.actor(uow.session, user)
                check_case_visible(actor, case, uow.session)
                log_access(uow.session, user, "open", case_id)
            detail = queries.case_detail(uow.session, case, self.core.runner.workflow_of(case), events)
            uow.commit()
            detail["data"].pop("query_code", None)      # cases registered before codes were kept apart
            return detail

    def reveal_identities(self, case_id: int, *, user: str, purpose: str) -> list[dict]:
        """Decrypted identities for a role that needs them; every reveal is logged with its purpose."""
        if not (purpose or "").strip():
            raise ValidationFailed("say why you need the full identity data (purpose)")
        with self.core.uow() as uow:
            case = repository.get_case(uow.session, case_id)
            actor = self.core.actor(uow.session, user)
            check_case_visible(actor, case, uow.session)
            check_can_reveal(actor, case)
            people = self.identities.reveal(uow.session, case_id)
            log_access(uow.session, user, "reveal", case_id, purpose.strip())
            uow.commit()
            return people

    def list_cases(self, *, user: str | None = None, status: str | None = None, page: int = 1,
                   per_page: int = 50, count: bool = False) -> dict:
        """A page of cases, newest first; the total as in the inbox (counted only when asked)."""
        with self.core.uow(write=False, reads_alone=True) as uow:
            actor = self.core.actor(uow.session, user) if user else SYSTEM
            return case_queries.cases(uow.session, actor, status=status, page=page, per_page=per_page,
                                      count=count)

    # -- operations on a case -----------------------------------------------------------------
    def retry_case(self, case_id: int, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            if not actor.is_supervisor:
                raise NotAllowed("only an administrator or director can retry a case")
            case = repository.get_case(uow.session, case_id)
            if case.status != "error":
                raise Conflict(f"case {case_id} is {case.status}, not in error")
            action = Action.from_dict(case.pending_action or {"kind": "start", "actor": user})
        return summary(self.core.step(case_id, action, retry=True))

    def change_deadline(self, case_id: int, name: str, due: str | datetime, *, user: str,
                        reason: str = "") -> dict:
        """Moves a named deadline: the waiting timers on it, the tasks due by it and their
        reminders and escalation, in one audited step (an approved extension, a correction)."""
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed("a deadline name is required")
        try:
            instant = due if isinstance(due, datetime) else parse_instant(str(due))
        except (TypeError, ValueError):
            raise ValidationFailed(f"not an ISO 8601 date-time: {due!r}") from None
        with self.core.uow(write=False) as uow:
            actor = self.core.actor(uow.session, user)
            if not actor.is_supervisor:
                raise NotAllowed("only the director or an administrator can change a deadline")
            check_case_visible(actor, repository.get_case(uow.session, case_id), uow.session)
        action = Action.move_deadline(user, name.strip(), instant, str(reason)[:500])
        return summary(self.core.step(case_id, action))

    def suspend_case(self, case_id: int, *, user: str, reason: str = "") -> dict:
        return self._set_status(case_id, user, "suspended", {"running"}, reason)

    def resume_case(self, case_id: int, *, user: str, reason: str = "") -> dict:
        return self._set_status(case_id, user, "running", {"suspended"}, reason)

    def terminate_case(self, case_id: int, *, user: str, reason: str = "") -> dict:
        return self._set_status(case_id, user, "terminated", {"running", "suspended", "error"}, reason)

    def _set_status(self, case_id, user, status, allowed_from, reason) -> dict:
        with self.core.uow() as uow:
            actor = self.core.actor(uow.session, user)
            if not actor.is_supervisor:
                raise NotAllowed(f"only an administrator or director can set a case {status}")
            case = repository.get_case(uow.session, case_id)
            if case.status not in allowed_from:
                raise Conflict(f"case {case_id} is {case.status}; cannot become {status}")
            now = utcnow()
            case.status, case.updated_at = status, now
            queries.set_case_rows_state(uow.session, case, status, now)
            record(uow.session, case.id, f"case_{status}", actor=user, at=now, message=reason)
            uow.commit()
            return queries.case_summary(case)
