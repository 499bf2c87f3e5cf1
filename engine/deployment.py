"""Deploying BPMN bundles: validate everything, store nothing unless all is well.

A definition is stored once per content hash and gets the next version of its
process key; running cases keep the definition they started with.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.bpmn import binding, form_files, lint, serialization
from engine.store import repository
from engine.errors import InvalidDiagram, ValidationFailed
from engine.store.models import Definition
from engine.bpmn.lint import NS, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Prepared:
    key: str
    name: str
    content_hash: str
    bundle: dict[str, str]
    spec_json: str


def content_hash(bundle: dict[str, str]) -> str:
    digest = hashlib.sha256(serialization.LIB_VERSION.encode())
    for name in sorted(bundle):
        digest.update(name.encode() + b"\0" + bundle[name].encode("utf-8") + b"\0")
    return digest.hexdigest()


def _decode(name: str, content: bytes | str) -> tuple[str | None, list[Problem]]:
    if isinstance(content, str):
        return content, []
    if len(content) > MAX_FILE_BYTES:
        return None, [Problem(name, None, None, f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")]
    try:
        return content.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = content[:err.start].count(b"\n") + 1
        return None, [Problem(name, line, None, f"not well-formed: not UTF-8 text ({err.reason}) at line {line}, "
                                                f"byte {err.start}")]


def prepare(session: Session, files: dict[str, bytes | str], forms_dir: Path | None, handlers,
            dependencies: set[str]) -> list[Prepared]:
    """Raises InvalidDiagram with every problem found; otherwise returns what to store.
    `handlers` and `dependencies`: what service tasks may name and ask for.

    Entries named forms/<key>.json are task forms; the bundle stores every form its diagrams
    reference (sent along, else from `forms_dir`), so a definition keeps its forms."""
    if not any(not form_files.is_form_file(name) for name in files or {}):
        raise ValidationFailed("no BPMN files given")
    problems: list[Problem] = []
    texts, trees, given = {}, {}, {}
    for name, content in files.items():
        text, found = _decode(name, content)
        problems += found
        if text is None:
            continue
        if form_files.is_form_file(name):
            given[name] = text
            continue
        tree, found = lint.parse_xml(name, text)
        problems += found
        if tree is not None:
            texts[name], trees[name] = text, tree
    if problems:
        raise InvalidDiagram(_summary(problems), [p.as_dict() for p in problems])
    for name, tree in trees.items():
        problems += lint.xsd_problems(name, tree)
    keys = [k for tree in trees.values() for k in lint.executable_processes(tree)]
    in_bundle = {k for tree in trees.values() for k in lint.all_processes(tree)}
    called = {node.get("calledElement") for tree in trees.values()
              for node in tree.getroot().iterfind(".//bpmn:callActivity", NS)} - in_bundle - {None}
    deployed, inherited = _called_as_deployed(session, called, texts, in_bundle)
    for name, tree in trees.items():
        problems += lint.rule_problems(name, tree, in_bundle | {k for k in called if _has(deployed, k)}, handlers,
                                       dependencies)
    forms, found = form_files.bundle_forms(trees, given, inherited, forms_dir)
    problems += found
    if not keys and not problems:
        problems.append(Problem(next(iter(trees)), None, None, "no executable process (isExecutable=\"true\")"))
    if problems:
        raise InvalidDiagram(_summary(problems), [p.as_dict() for p in problems])
    extra = {f"deployed:{n}": lint.parse_xml(n, x)[0] for n, x in deployed.items() if n not in trees}
    calls, problems = binding.call_bindings({**trees, **extra})
    problems += _missing_versions(session, binding.pinned_versions(calls), trees)
    if not problems:
        specs, problems = lint.build_specs({**trees, **extra}, keys)
    if problems:
        raise InvalidDiagram(_summary(problems), [p.as_dict() for p in problems])
    # the processes it calls, as deployed now: the definition shows every diagram it runs
    bundle = {**{n: x for n, x in deployed.items() if n not in texts}, **texts, **forms}
    digest = content_hash(bundle)
    return [Prepared(key, spec.description or key, digest, bundle,
                     serialization.dump_specs(spec, subs, calls)) for key, (spec, subs) in specs.items()]


def _called_as_deployed(session: Session, called: set[str], given: dict[str, str],
                        in_bundle: set[str]) -> tuple[dict, dict]:
    """The diagrams (and forms) of the processes a bundle calls but does not contain, each taken from
    the latest definition of that process itself, transitively and in sorted order: another
    process's older bundle never supplies it, and the result does not depend on hash order."""
    deployed: dict[str, str] = {}
    inherited: dict[str, str] = {}
    pending, seen = sorted(called), set(in_bundle)
    while pending:
        key = pending.pop(0)
        if key in seen:
            continue
        seen.add(key)
        found = repository.latest_definition(session, key)
        if found is None:
            continue
        for name in sorted(found.bundle):
            text = found.bundle[name]
            if form_files.is_form_file(name):
                inherited.setdefault(name, text)
                continue
            tree = lint.parse_xml(name, text)[0]
            if tree is None or key not in lint.all_processes(tree) or name in given or name in deployed:
                continue
            deployed[name] = text
            more = {n.get("calledElement") for n in tree.getroot().iterfind(".//bpmn:callActivity", NS)}
            pending += sorted(k for k in more if k and k not in seen)
    return deployed, inherited


def _missing_versions(session: Session, pinned: list[tuple[str, int]], trees: dict) -> list[Problem]:
    out = []
    for key, version in pinned:
        if repository.definition_version_or_none(session, key, version) is None:
            out.append(Problem(next(iter(sorted(trees))), None, None,
                               f"calls {key} version {version}, which is not deployed"))
    return out


def _has(bundle: dict[str, str], key: str) -> bool:
    return any(f'id="{key}"' in text for text in bundle.values())


def _summary(problems: list[Problem]) -> str:
    first = problems[0]
    where = f"{first.file}:{first.line}" if first.line else first.file
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {first.message}{more}"


def store(session: Session, prepared: list[Prepared], user: str, now: datetime) -> list[dict]:
    out = []
    for item in prepared:
        existing = repository.definition_by_hash(session, item.key, item.content_hash)
        if existing is not None:
            out.append({"key": item.key, "version": existing.version, "new": False})
            continue
        definition = Definition(process_key=item.key, version=repository.next_version(session, item.key),
                                name=item.name[:256], content_hash=item.content_hash, bundle=item.bundle,
                                spec=item.spec_json, lib_version=serialization.LIB_VERSION,
                                deployed_by=user, deployed_at=now)
        session.add(definition)
        session.flush()
        out.append({"key": item.key, "version": definition.version, "new": True})
    return out
