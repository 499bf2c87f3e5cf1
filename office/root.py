"""The composition root: the one place the workflow core and the office's features are put
together. Web, CLI, scheduler and tests build a `Services` and call its feature objects
(`svc.tasks.complete_task(...)`, `svc.kpi.kpis(...)`); nothing else wires anything.
"""
from __future__ import annotations

from sqlalchemy import Engine

import handlers.registry
from engine.core import Core
from engine.store.notices import Listener, bump_on_writes
from engine.store.models import Case
from engine.settings import Settings
from office import access
from office.analysis import tables as analysis_tables
from office.analysis.service import Analysis
from office.cases import deadlines, tables as case_tables
from office.cases.attachments import Attachments
from office.cases.comments import Comments
from office.cases.lookup import CaseLookup
from office.cases.page import CasePage
from office.cases.projection import project_facts
from office.cases.service import Cases
from office.documents import tables as document_tables
from office.documents.service import Documents, store_dependency
from office.editor import tables as editor_tables
from office.editor.processes import Processes
from office.editor.service import Editor
from office.inbox import tables as inbox_tables
from office.inbox.service import Inbox
from office.inbox.tasks import Tasks
from office.intake.service import Intake
from office.kpi import tables as kpi_tables
from office.kpi.dashboard import Dashboard
from office.kpi.counting import Counting
from office.kpi.projection import apply_decisions, metrics_hook
from office.kpi.service import FIRST_TIME_RULE, Kpi
from office.online import service as online_service, tables as online_tables
from office.operations import tables as operation_tables
from office.operations.jobs import Jobs
from office.operations.service import Operations
from office.operations.timers import Timers
from office.people import tables as people_tables
from office.people.admin import AccessLogs, Admin
from office.people.identity import Identities
from office.people.tokens import AUTH_CHANNEL, AUTH_QUIET, AUTH_TABLES, Auth, TokenCache
from office.people.user_import import UserImport
from office.people.users import Users
from office.resolution import tables as resolution_tables
from office.resolution.service import Resolutions
from office.directory.service import Directory
from office.deputies import editing as deputy_directory
from office.deputies import tables as deputy_tables
from office.deputies import meeting_tables
from office.deputies.meetings import Meetings
from office.deputies.proposals import Proposals
from office.deputies.service import Deputies
from office.selfservice import codes as query_codes, tables as selfservice_tables
from office.selfservice.service import SelfService
from office.supervision import flags, lookback, reminders, tables as supervision_tables
from office.supervision.backlog import Backlog
from office.supervision.joint import JointMeetings
from office.supervision.key_cases import KeyCases
from office.supervision.ledger import SupervisionLedger
from office.supervision.service import Notifications, Supervision
from processes import calendar, ladders

# Every feature's tables, so the metadata (migrations check, backups, test truncation) sees them all.
TABLES = (case_tables, inbox_tables, people_tables, document_tables, supervision_tables, kpi_tables,
          analysis_tables, editor_tables, operation_tables, resolution_tables, selfservice_tables, online_tables,
          deputy_tables, meeting_tables)


# Case-level data that handlers and the owning services write (deadlines, milestones, flags, query
# code, parties, ratings, documents): never a task's form (issue 21; docs/security.md "Integrity").
# (`satisfaction` is not listed: the evaluation form of older stored versions declares it.)
CASE_OWNED = ("deadlines", "deadline_notes", "milestones", "backlog", "query_code", "petitioners", "representatives",
              "agent", "accused", "parties", "unit_rating", "office_rating", "documents",
              "reg_no", "co_opinions", "suggested_category", "is_repeat", "in_stats", "organ_evaluations",
              "sendbacks", "unit_signed")


def _token_cache(core: Core) -> TokenCache | None:
    """On PostgreSQL, bearer tokens' users kept for a few seconds, dropped on any change
    (office/people/tokens.py); SQLite reads a token in-process for next to nothing."""
    seconds = core.settings.token_cache_seconds
    if core.engine.dialect.name != "postgresql" or seconds <= 0:
        return None
    listener = Listener(core.engine, AUTH_CHANNEL)
    bump_on_writes(core.engine, listener, AUTH_TABLES, AUTH_QUIET)
    return TokenCache(listener, seconds)


class Services:
    """One object per feature, assembled here once per process."""

    def __init__(self, settings: Settings | None = None, engine: Engine | None = None, *,
                 notifier: reminders.Notifier | None = None):
        handlers.registry.load_all()
        settings = settings or Settings.from_env()
        calendar.use_zone(settings.timezone)
        core = Core(settings, engine, handlers=handlers.registry, actor_type=access.Actor,
                    internal_actors=access.INTERNAL_ACTORS)
        self.core = core
        self.identities = Identities(core.settings)
        self._register(core)

        self.users = Users(core)
        self.admin = Admin(core, self.users)
        self.access_log = AccessLogs(core)
        self.auth = Auth(core, self.users, _token_cache(core))
        self.processes = Processes(core)
        self.cases = Cases(core, self.identities)
        self.tasks = Tasks(core)
        self.comments = Comments(core)
        self.attachments = Attachments(core)
        self.documents = Documents(core)
        self.counting = Counting(core, apply_decisions)
        self.case_page = CasePage(core, self.cases, self.documents)
        self.intake = Intake(core, self.cases, self.identities,
                             lambda session, case_id: query_codes.current(session, self.identities.keys, case_id))
        self.inbox = Inbox(core, self.comments, self.intake.case_ids_by_name)
        self.jobs = Jobs(core, self.inbox)
        self.user_import = UserImport(core, self.jobs)
        self.online = online_service.OnlinePetitions(core, self.identities, self.intake, self.attachments)
        self.selfservice = SelfService(core, self.auth, self.identities, self._documents, self._online_number)
        self.directory = Directory(core)
        self.deputies = Deputies(core, self.cases, self._documents)
        core.add_step_hook(self.deputies.step_hook)
        self.notifications = Notifications(core, notifier or reminders.LoggingNotifier())
        self.supervision = Supervision(core, self._documents)
        self.supervision_ledger = SupervisionLedger(core, self._documents)
        self.key_cases = KeyCases(core, apply_decisions)
        self.backlog = Backlog(core, apply_decisions)
        self.joint_meetings = JointMeetings(core)
        self.tasks.close_hooks["joint"] = self.joint_meetings.done
        self.tasks.close_hooks["urgent"] = flags.urgent_handled
        self.tasks.close_hooks["instructed"] = flags.instruction_answered
        self.tasks.close_hooks["instruction"] = self.key_cases.answered
        self.tasks.close_hooks["lookback"] = lookback.checked(self._documents)
        self.tasks.close_hooks["supervision"] = self.supervision.decided
        self.timers = Timers(core, self.supervision.timer_kinds(), [self.notifications.deliver])
        self.kpi = Kpi(core, referrals=deputy_directory.referrals_between)
        self.dashboard = Dashboard(core, self.kpi, self.jobs)
        self.analysis = Analysis(core, self.kpi)
        self.meetings = Meetings(core, self.analysis, self._ladder_on)
        self.proposals = Proposals(core, self.analysis)
        self.tasks.close_hooks["follow_up"] = self.meetings.reported
        self.editor = Editor(core)
        self.operations = Operations(core, self.identities)

    def _ladder_on(self, day):
        """The office's escalation ladder in force on `day` (processes/escalation_ladders/)."""
        return ladders.load_ladder(self.settings.jurisdiction, on=day)

    def _online_number(self, session, number: str, code: str):
        """A 网上信访 number in self-service: its case once registered, else its own view."""
        row = self.online.match(session, number, code)
        if row is None:
            return None
        return session.get(Case, row.case_id) if row.case_id else online_service.public_view(row)

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def engine(self) -> Engine:
        return self.core.engine

    def close(self) -> None:
        """Stops the token cache's listener and closes the pooled connections (tests, tools that
        build services more than once in a process)."""
        self.auth.close()
        self.core.engine.dispose()

    def _register(self, core: Core) -> None:
        """What the features give the core: handler dependencies, projectors and step hooks."""
        settings = core.settings

        def keys():                               # loaded on first use
            return self.identities.keys
        self._documents = store_dependency(settings.office_name, self.identities,
                                           lambda session, case_id: query_codes.current(session, keys(), case_id))
        core.register_dependency("query_codes", lambda session, case, now, actor:
                                 query_codes.CodeIssuer(session, keys(), case, now, actor), writes=True)
        core.register_dependency("lookup", lambda session, case, now, actor: CaseLookup(session, case.id),
                                 writes=True)
        core.register_dependency("deadlines", deadlines.table_dependency(settings.jurisdiction))
        core.register_dependency("documents", self._documents, writes=True)
        core.data_guard = self.identities.protect
        core.forms.own(*CASE_OWNED)
        core.add_projector(project_facts)
        core.add_step_hook(metrics_hook(deadlines.rule_days(settings.jurisdiction, FIRST_TIME_RULE)))
        self.resolutions = Resolutions(core, apply_decisions)
        core.add_step_hook(self.resolutions.step_hook)
        core.add_step_hook(reminders.step_hook(deadlines.reminder_offsets(settings.jurisdiction), self._ladder_on))
        core.close_timers_with_tasks(*reminders.TASK_TIMERS)
        core.add_step_hook(lookback.step_hook(self._ladder_on))
        core.add_step_hook(deadlines.provisional_deadline_hook)
        core.add_step_hook(flags.step_hook)
