"""What the case row shows of the case data beyond its index columns: small facts for lists,
repeat detection and statistics, and the petitioner as a masked label — never an identity."""
from __future__ import annotations

from engine.store.models import Case
from processes.masking import petitioner_label

FACT_KEYS = ("parallel_group", "multi_addressed", "concluded", "collective", "persons", "urgent", "sensitive",
             "route", "outcome", "rating", "review_stage", "litigation_related", "key_case", "anonymous",
             "real_name", "organ", "problem_region", "skip_level", "instructed")


def project_facts(case: Case, data: dict) -> None:
    """A step projector (Core.add_projector), run before the case's task rows are rebuilt."""
    facts = {k: data[k] for k in FACT_KEYS if k in data and _small(data[k])}
    if facts != (case.facts or {}):
        case.facts = facts
    case.petitioner = petitioner_label(data.get("petitioners"), bool(data.get("anonymous")))[:200]


def _small(value) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= 200)
