"""JSON Schema forms for user tasks, validated on the server whatever the client did."""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator


_NOT_BUNDLED = object()     # a definition deployed before forms were bundled: bpmn/forms/ has them


class FormRegistry:
    """A definition carries the forms it was deployed with (bundle entries forms/<key>.json);
    definitions deployed before forms were bundled use bpmn/forms/<form_key>.json."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._cache: dict[str, dict | None] = {}
        self._bundled: dict[tuple, object] = {}
        self.case_owned: frozenset[str] = frozenset()    # keys only their own services write (`own`)

    def own(self, *keys: str) -> None:
        """Keys of the case data that no task may write, with a form or without one (deadlines,
        parties, ratings…): the feature that owns them changes them, with its own check and event."""
        self.case_owned = self.case_owned | frozenset(keys)

    def get(self, form_key: str | None, case=None) -> dict | None:
        """The form of a task of `case` (a models.Case): its definition's, or else the file's.

        Definitions never change once stored, so each (definition, form) is read once: loading a
        definition's bundle (every diagram and form it was deployed with) on every completion
        would cost more than the rest of the step."""
        if not form_key:
            return None
        if case is not None and getattr(case, "definition_id", None) is not None:
            key = (case.definition_id, case.process_key, case.definition_version, form_key)
            if key not in self._bundled:
                bundle = case.definition.bundle or {}
                name = f"forms/{form_key}.json"
                self._bundled[key] = json.loads(bundle[name]) if name in bundle else _NOT_BUNDLED
            found = self._bundled[key]
            if found is not _NOT_BUNDLED:
                return found
        if form_key not in self._cache:
            path = self.directory / f"{form_key}.json"
            if ".." in form_key or "/" in form_key or not path.is_file():
                self._cache[form_key] = None
            else:
                schema = json.loads(path.read_text(encoding="utf-8"))
                Draft202012Validator.check_schema(schema)
                self._cache[form_key] = schema
        return self._cache[form_key]

    def validate(self, form_key: str | None, data: dict, case=None) -> list[dict]:
        """[{field, message}] for each problem; empty when the data fits the form.

        A form is a closed schema whatever its JSON says (additionalProperties false): the form is
        the only thing a task can write, so a key it does not declare is refused by name. Case-owned
        keys (`own`) are refused for every task, even a form-less one of a test or legacy diagram
        (every shipped user task has a form), and even when a form declares them."""
        schema = self.get(form_key, case)
        problems = [{"field": str(key), "message": f"{key!r} belongs to the case: only its own service changes it, "
                                                    "never a task's form"} for key in data if key in self.case_owned]
        if schema is None:
            return problems
        problems += [p for p in undeclared(schema, data) if p["field"] not in self.case_owned]
        validator = Draft202012Validator({k: v for k, v in schema.items() if k != "additionalProperties"})
        for err in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
            field = ".".join(str(p) for p in err.path) or (
                err.validator_value[0] if err.validator == "required" and isinstance(err.validator_value, list)
                else "")
            if err.validator == "required":
                missing = [f for f in err.validator_value if f not in (err.instance or {})]
                named = next((f for f in missing if err.message.startswith(f"{f!r} ")), None)
                field = ".".join([*map(str, err.path), named or missing[0]]) if missing else field
            problems.append({"field": field, "message": err.message})
        return problems

    def fields(self, form_key: str | None, case=None) -> frozenset[str]:
        """The names a task's form declares: everything its completion may write."""
        return declared(self.get(form_key, case))

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.json")) if self.directory.is_dir() else []


def declared(schema: dict | None) -> frozenset[str]:
    properties = (schema or {}).get("properties")
    return frozenset(properties) if isinstance(properties, dict) else frozenset()


def undeclared(schema: dict | None, data: dict) -> list[dict]:
    """[{field, message}] for each key of `data` that the form does not declare."""
    fields = declared(schema)
    return [{"field": str(key), "message": f"{key!r} is not a field of this task's form; "
                                           "a task writes only the fields of its form"}
            for key in data if key not in fields]
