"""Rules kept as versioned JSON documents, one per jurisdiction (deadline tables, escalation ladders).

A document holds `versions`, each with a `version` number and the date it takes `effective`; a
version may inherit another jurisdiction's. The office changes a rule by adding a version, so a
case started under an older one can still be read the way it was decided.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path


def names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.json"))


@lru_cache(maxsize=64)
def document(folder: Path, jurisdiction: str, what: str) -> dict:
    """The jurisdiction's document; KeyError naming the known ones (never a path outside `folder`)."""
    path = folder / f"{jurisdiction}.json"
    if "/" in jurisdiction or "\\" in jurisdiction or not path.is_file():
        raise KeyError(f"no {what} for {jurisdiction!r}; known: {', '.join(names(folder))}")
    return json.loads(path.read_text(encoding="utf-8"))


def choose(doc: dict, version: int | None, on: date | None, label: str) -> dict:
    """The given version, else the latest in force `on` that date (the first if none was yet), else
    the latest."""
    versions = sorted(doc["versions"], key=lambda v: v["version"])
    if version is not None:
        chosen = [v for v in versions if v["version"] == version]
        if not chosen:
            raise KeyError(f"{label} has no version {version}")
    elif on is not None:
        chosen = [v for v in versions if date.fromisoformat(v["effective"]) <= on] or versions[:1]
    else:
        chosen = versions
    return chosen[-1]
