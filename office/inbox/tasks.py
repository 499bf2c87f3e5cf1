"""Tasks: list, read and complete them. A workflow task completes through a step of its case;
a task the office opened beside the workflow (a 督办 task) simply closes."""
from __future__ import annotations

from engine import queries
from engine.clock import utcnow
from engine.core import Core
from engine.errors import Conflict, NotAllowed, ValidationFailed
from engine.inputs import checked_object
from engine.projection import open_rows_beside, record
from engine.steps import Action
from engine.store import repository
from engine.store.models import Case, HumanTask
from office.access import check_can_work, check_case_visible, check_not_routed_to_accused
from office.cases.service import summary
from office.directory.service import check_form_values
from office.inbox import queries as task_queries
from office.people.audit import log_access


class Tasks:
    def __init__(self, core: Core):
        self.core = core
        # kind -> (session, task row, user, data, now): what closing a task a feature opened also does
        self.close_hooks: dict = {}

    def list_tasks(self, *, user: str | None = None, groups: list[str] | None = None,
                   filters: dict | None = None, page: int = 1, per_page: int = 50,
                   case_id: int | None = None, state: str = "open") -> dict:
        filters = filters or {}
        with self.core.uow(write=bool(user and filters.get("search"))) as uow:
            actor = self.core.actor(uow.session, user) if user else None
            result = task_queries.tasks(uow.session, actor, groups=groups, filters=filters, page=page,
                                        per_page=per_page, case_id=case_id, state=state)
            if user and filters.get("search"):
                log_access(uow.session, user, "search", None, f"inbox search: {filters['search']}")
                uow.commit()
            return result

    def get_task(self, task_uuid: str, *, user: str | None = None) -> dict:
        with self.core.uow(write=False) as uow:
            row = repository.human_task(uow.session, task_uuid)
            case = repository.get_case(uow.session, row.case_id)
            if user is not None:
                check_case_visible(self.core.actor(uow.session, user), case, uow.session)
            return queries.task_dict(row, form=self.core.forms.get(row.form_key, case))

    def complete_task(self, task_uuid: str, *, user: str, data: dict | None = None) -> dict:
        """A workflow task completes through a step of its case, in the transaction that checked it."""
        data = checked_object(data, "form data")
        with self.core.uow() as uow:
            siblings = open_rows_beside(uow.session, task_uuid)
            row = next((r for r in siblings if r.task_uuid == task_uuid), None)
            if row is None or row.kind != "bpmn":      # not open (say why), or a task beside the workflow
                row, case = self._workable(uow.session, task_uuid, user, data)
                return self._close(uow, row, case, user, data)
            row, case = self._workable(uow.session, task_uuid, user, data, row)
            errors = self.core.forms.validate(row.form_key, data, case)
            errors += check_form_values(uow.session, self.core.forms.get(row.form_key, case), data)
            if errors:
                named = ", ".join(dict.fromkeys(e["field"] for e in errors if e.get("field")))
                raise ValidationFailed("the form has errors" + (f": {named}" if named else ""), errors)
            return summary(self.core.step_in(uow, case, Action.complete(user, task_uuid, data),
                                             open_rows=[r._mapping for r in siblings]))

    def _workable(self, session, task_uuid: str, user: str, data: dict, row=None) -> tuple[HumanTask, Case]:
        """The task and its case, once the user may work it (`row`: the task's row, read already)."""
        actor = self.core.actor(session, user)
        row = row if row is not None else repository.human_task(session, task_uuid)
        if row.state != "open":
            raise Conflict(f"task is already {row.state}")
        case = repository.get_case(session, row.case_id)
        check_can_work(actor, row)
        check_case_visible(actor, case, session, working=True)
        check_not_routed_to_accused(case, data)
        if row.owner and row.owner != actor.username:
            raise NotAllowed(f"this task is delegated by {row.owner}: hand it back (resolve) for them to complete")
        return row, case

    def _close(self, uow, row: HumanTask, case: Case, user: str, data: dict) -> dict:
        """A task the office opened beside the workflow closes without a step of the case."""
        now = utcnow()
        errors = self.core.forms.validate(row.form_key, data, case) if row.form_key else []
        if errors:
            raise ValidationFailed("the form has errors", errors)
        hook = self.close_hooks.get(row.kind)
        if hook is not None:
            hook(uow.session, row, user, data, now)
        row.state, row.completed_at, row.completed_by = "completed", now, user
        record(uow.session, row.case_id, "task_completed", actor=user, at=now, message=row.name,
               task_uuid=row.task_uuid, bpmn_id=row.bpmn_id, data=data)
        uow.commit()
        return queries.case_summary(case)
