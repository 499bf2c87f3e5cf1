"""Service methods for analysts: the process library, version diffs and case migration.

Only analysts and administrators may use them. A migration is one step: one transaction,
optimistic-concurrency safe (cases.row_version), audited in case_event and case_migration;
the migration log keeps the previous state so that it can be reversed.
"""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from engine import queries
from engine.bpmn import form_files, interop, lint, versioning
from engine.bpmn.scripting import handler_parameters
from engine.clock import utcnow
from engine.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from engine.projection import record
from engine.steps import Action, is_conflict
from engine.store import repository
from engine.store.models import Case, Definition
from office.access import EDITORS
from office.editor.tables import CaseMigration
from processes.deadlines import load_table



class Editor:
    """What analysts do: the process library, versions and their diffs, migration of running
    cases, and the editor page (options, validation, deployment, scenarios, forms, imports)."""

    def __init__(self, core):
        self.core = core

    def check_editor(self, session, user: str) -> None:
        if not self.core.actor(session, user).groups & EDITORS:
            raise NotAllowed("only analysts and administrators may edit, deploy or migrate processes")

    def process_library(self, *, user: str) -> list[dict]:
        """Processes with their versions (newest first), deployer, time and open cases per version."""
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
            rows = queries.processes(uow.session)
        library: dict[str, dict] = {}
        for row in rows:
            entry = library.setdefault(row["key"], {"key": row["key"], "name": row["name"], "versions": []})
            entry["name"] = row["name"]
            entry["versions"].insert(0, row)
        return list(library.values())

    def process_source(self, key: str, version: int | None = None, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
            definition = repository.definition_version(uow.session, key, version)
            bundle, number = dict(definition.bundle), definition.version
        files = {name: text for name, text in bundle.items() if not form_files.is_form_file(name)}
        own = own_file(files, key)
        mine = {n: t for n, t in bundle.items() if form_files.is_form_file(n) or n == own} if own else bundle
        forms = form_files.definition_forms(mine, self.core.settings.bpmn_dir / "forms")
        return {"key": key, "version": number, "file": own, "files": {own: files[own]} if own else files,
                "forms": forms}

    def diff_versions(self, key: str, old: int, new: int, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
            before = repository.definition_version(uow.session, key, old)
            after = repository.definition_version(uow.session, key, new)
            diff = versioning.spec_diff(self.core.runner.specs.get(before), self.core.runner.specs.get(after))
        return {"key": key, "from": old, "to": new, **diff}

    def migrate_case(self, case_id: int, version: int, *, user: str) -> dict:
        """One step (Action.migrate) that moves a running case onto another version, with the
        old state kept in the migration log so the move can be reversed."""
        now = utcnow()
        try:
            with self.core.uow() as uow:
                self.check_editor(uow.session, user)
                case = repository.get_case(uow.session, case_id)
                if case.status not in ("running", "suspended"):
                    raise Conflict(f"case {case_id} is {case.status}; only running cases move")
                target = repository.definition_version(uow.session, case.process_key, version)
                if target.id == case.definition_id:
                    raise Conflict(f"case {case_id} already runs on version {version}")
                old_state, old_version, old_definition = case.state, case.definition_version, case.definition_id
                outcome = self.core.run_step(uow.session, case, Action.migrate(user, target.id), now=now)
                if outcome.error is not None:
                    raise Conflict(f"case {case_id} cannot move to version {version}: {outcome.error}")
                log = CaseMigration(case_id=case_id, from_definition_id=old_definition, to_definition_id=target.id,
                                    from_version=old_version, to_version=target.version, old_state=old_state,
                                    new_state_hash=_digest(case.state), actor=user, at=now,
                                    summary=f"v{old_version} → v{target.version}")
                uow.session.add(log)
                record(uow.session, case_id, "case_migrated", actor=user, at=now, message=log.summary,
                       data={"from": old_version, "to": target.version})
                uow.session.flush()
                out = {"case_id": case_id, "from": old_version, "to": target.version, "migration_id": log.id}
                uow.commit()
                return out
        except Exception as err:
            if is_conflict(err):
                raise Conflict("the case was changed by someone else at the same time; try again") from err
            raise

    def migrate_cases(self, key: str, from_version: int, to_version: int, *, user: str) -> dict:
        """Every running case of one version, each in its own step; refusals are listed, not fatal."""
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
            source = repository.definition_version(uow.session, key, from_version)
            ids = list(uow.session.scalars(select(Case.id).where(
                Case.definition_id == source.id, Case.status.in_(("running", "suspended")))))
        moved, refused = [], []
        for case_id in ids:
            try:
                moved.append(self.migrate_case(case_id, to_version, user=user))
            except Conflict as err:
                refused.append({"case_id": case_id, "reason": err.message})
        return {"moved": moved, "refused": refused}

    def revert_migration(self, migration_id: int, *, user: str) -> dict:
        now = utcnow()
        with self.core.uow() as uow:
            self.check_editor(uow.session, user)
            log = uow.session.get(CaseMigration, migration_id)
            if log is None:
                raise NotFound(f"no migration {migration_id}")
            if log.reverted_at is not None:
                raise Conflict(f"migration {migration_id} was already reversed")
            case = repository.get_case(uow.session, log.case_id)
            if _digest(case.state) != log.new_state_hash:
                raise Conflict(f"case {case.id} has moved on since the migration; it cannot be reversed")
            previous = uow.session.get(Definition, log.from_definition_id)
            case.state = log.old_state
            case.definition, case.definition_id, case.definition_version = previous, previous.id, previous.version
            self.core.run_step(uow.session, case, Action.rebuild(user), now=now)
            log.reverted_by, log.reverted_at = user, now
            record(uow.session, case.id, "case_migration_reverted", actor=user, at=now,
                   message=f"v{log.to_version} → v{log.from_version}", data={"migration_id": log.id})
            uow.commit()
            return {"case_id": case.id, "version": previous.version}

    def list_migrations(self, case_id: int | None = None, *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
            query = select(CaseMigration).order_by(CaseMigration.id.desc()).limit(200)
            if case_id is not None:
                query = query.where(CaseMigration.case_id == case_id)
            return [{"id": m.id, "case_id": m.case_id, "from": m.from_version, "to": m.to_version,
                     "actor": m.actor, "at": m.at.isoformat(), "reverted_at": m.reverted_at and m.reverted_at.isoformat()}
                    for m in uow.session.scalars(query)]


    # -- the editor page ------------------------------------------------------------------------

    def editor_options(self, *, user: str) -> dict:
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        registry = self.core.runner.handlers
        handlers = {name: sorted(handler_parameters(registry.get_handler(name))[0])
                    for name in registry.registered_names()}
        table = load_table(self.core.settings.jurisdiction)
        deadlines = [{"name": r.name, "label": r.label, "days": r.days, "unit": r.unit}
                     for r in table.rules.values()]
        forms = sorted(p.stem for p in (self.core.settings.bpmn_dir / "forms").glob("*.json"))
        return {"handlers": handlers, "deadlines": deadlines, "forms": forms}

    def validate_diagram(self, files: dict[str, str], *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        return self.core.validate(files)

    def deploy_diagram(self, files: dict[str, str], *, user: str) -> list[dict]:
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        return self.core.deploy(files, user=user)

    def run_scenarios(self, key: str, files: dict[str, str] | None = None, *, user: str) -> list[dict]:
        """The process's scenario files, run against the diagram as edited (not yet deployed), in
        this request: their moved clock is this thread's alone (engine.clock.travel)."""
        from office.editor import scenarios
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        folder = self.core.settings.bpmn_dir / "scenarios" / key
        paths = scenarios.find_files([folder]) if folder.is_dir() else []
        return scenarios.run_files(paths, self.core.settings, files)

    def import_diagram(self, name: str, content: bytes, *, user: str) -> dict:
        """A Camunda Modeler (or any BPMN) file converted to our dialect, with a report of what was
        mapped and what was dropped, and the problems a deploy would still find."""
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        converted = interop.import_camunda(name, content)
        tree, _ = lint.parse_xml(name, converted["xml"])
        keys = lint.all_processes(tree)
        file_name = name if name.endswith(".bpmn") else f"{name}.bpmn"
        return {"key": keys[0] if keys else name.rsplit(".", 1)[0], "version": 0,
                "files": {file_name: converted["xml"]}, "forms": {}, "mapped": converted["mapped"],
                "ignored": converted["ignored"], "problems": self.core.validate({file_name: converted["xml"]})}


    def preview_form(self, text: str, *, user: str) -> dict:
        """The checked schema, for the editor's live preview (rendered by the web layer)."""
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        return form_files.check_form(text)

    def form_source(self, key: str, *, user: str) -> dict:
        """A form of bpmn/forms/ to start editing from (forms of a definition come with its source)."""
        with self.core.uow(write=False) as uow:
            self.check_editor(uow.session, user)
        if not form_files.FORM_KEY.match(key or ""):
            raise ValidationFailed("a form key is 1–64 of a-z, 0-9 and _", [{"field": "key", "message": key}])
        text = form_files.form_from_dir(self.core.settings.bpmn_dir / "forms", key)
        if text is None:
            raise NotFound(f"no form {key!r}")
        return {"key": key, "text": text}


def own_file(files: dict[str, str], key: str) -> str | None:
    """The file of a bundle that holds process `key` (a bundle holds several processes)."""
    for name, text in files.items():
        tree, _ = lint.parse_xml(name, text)
        if tree is not None and key in lint.all_processes(tree):
            return name
    return None


def _digest(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()
