"""Parsed specs per definition, and the versions of called processes each case runs.

A definition's diagram is fixed once stored, but the processes it calls are not: a call activity
runs the latest deployed version of the called process unless the diagram pins another binding
(engine/bpmn/binding.py). `bind` chooses those versions once, when a case starts, walking the calls
in sorted order from the definition; the case stores them ({process key: definition id}) and every
later load assembles the same specs (`get_for`). Deploying a process therefore reaches the cases
started afterwards, never a running one, and no process's older bundle can shadow another's newer
version. Cases stored without bindings keep the versions bundled with their definition.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from engine.bpmn import binding, serialization
from engine.store.models import Case, Definition


@dataclass(frozen=True)
class _Parsed:
    id: int
    key: str
    spec: object
    subs: dict
    calls: dict         # call activity id -> pinned binding

    def spec_of(self, key: str):
        return self.spec if key == self.key else self.subs.get(key)


class SpecCache:
    """Specs are shared by every case that runs them; they are never changed after parsing."""

    def __init__(self, size: int = 64, sessions: Callable[[], Session] | None = None):
        self._parsed: OrderedDict[int, _Parsed] = OrderedDict()
        self._assembled: OrderedDict[tuple, tuple] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()     # the scheduler fires cases on several threads
        self.sessions = sessions          # for a cache miss on a case that left its session

    # -- what callers use ---------------------------------------------------------------------
    def get(self, definition: Definition) -> tuple:
        """The definition's spec with the called processes as bundled when it was deployed."""
        parsed = self._definition(None, definition.id, definition)
        return parsed.spec, parsed.subs

    def get_for(self, case: Case) -> tuple:
        """The specs a case runs: its definition with the called versions chosen when it started."""
        if case.call_bindings is None:
            return self.get(case.definition)
        found = self._cached((case.definition_id, tuple(sorted(case.call_bindings.items()))))
        if found is not None:
            return found
        session = object_session(case)
        if session is None and self.sessions is not None:
            with self.sessions() as own:
                return self.assembled(own, case.definition_id, case.call_bindings)
        return self.assembled(session, case.definition_id, case.call_bindings)

    def assembled(self, session: Session | None, definition_id: int, bindings: dict) -> tuple:
        """The definition's spec with the called processes at the bound versions."""
        key = (definition_id, tuple(sorted(bindings.items())))
        found = self._cached(key)
        if found is not None:
            return found
        subs, _ = self._walk(session, definition_id, lambda called, pin, source: bindings.get(called, source.id))
        found = (self._definition(session, definition_id).spec, subs)
        with self._lock:
            self._assembled[key] = found
            if len(self._assembled) > self._size:
                self._assembled.popitem(last=False)
        return found

    def bind(self, session: Session, definition: Definition, keep: dict | None = None) -> dict:
        """{called process key: definition id} for a case of `definition` starting now; `keep`: the
        bindings a migrated case already has (they stay)."""
        latest: dict[str, int] = {}       # read once, and only for a definition that calls something
        keep = keep or {}

        def choose(called: str, pin: dict, source: _Parsed) -> int:
            if called in keep:
                return keep[called]
            if pin["binding"] == "deployment":
                return source.id
            if pin["binding"] == "version":
                found = session.scalar(select(Definition.id).where(Definition.process_key == called,
                                                                  Definition.version == pin["version"]))
                return found if found is not None else source.id
            if not latest:
                latest.update(session.execute(select(Definition.process_key, func.max(Definition.id))
                                              .group_by(Definition.process_key)).all())
            return latest.get(called, source.id)
        return self._walk(session, definition.id, choose)[1]

    # -- internals ----------------------------------------------------------------------------
    def _cached(self, key: tuple) -> tuple | None:
        with self._lock:
            found = self._assembled.get(key)
            if found is not None:
                self._assembled.move_to_end(key)
            return found

    def _walk(self, session, definition_id: int, choose) -> tuple[dict, dict]:
        """Every process the definition reaches, breadth first in sorted order; the first call
        activity to reach a process decides its version (a case runs one version of each)."""
        root = self._definition(session, definition_id)
        subs: dict = {}
        chosen: dict[str, int] = {}
        queue = [(root.spec, root)]
        while queue:
            spec, source = queue.pop(0)
            for name in binding.embedded_in(spec):
                if name not in subs and name in source.subs:
                    subs[name] = source.subs[name]
                    queue.append((subs[name], source))
            for activity, called in binding.calls_in(spec):
                if called in chosen:
                    continue
                target = self._definition(session, choose(called, source.calls.get(activity, binding.LATEST), source))
                chosen[called] = target.id
                called_spec = target.spec_of(called) or source.subs.get(called)
                if called_spec is not None:      # else the call fails when reached, naming the process
                    subs[called] = called_spec
                    queue.append((called_spec, target))
        return subs, chosen

    def _definition(self, session, definition_id: int, definition: Definition | None = None) -> _Parsed:
        with self._lock:
            found = self._parsed.get(definition_id)
            if found is not None:
                self._parsed.move_to_end(definition_id)
                return found
        definition = definition if definition is not None else session.get(Definition, definition_id)
        spec, subs, calls = serialization.load_definition(definition.spec)
        found = _Parsed(definition.id, definition.process_key, spec, subs, calls)
        with self._lock:
            self._parsed[definition_id] = found
            if len(self._parsed) > self._size:
                self._parsed.popitem(last=False)
        return found
