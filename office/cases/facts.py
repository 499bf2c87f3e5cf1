"""What the case owns in its workflow data: facts that no task's form may write.

Registration facts come from the intake form, deadlines and milestones from the deadline table,
the query code, documents, ratings and the 纳入统计 decision from their own services and handlers.
Each changes through the service that owns it, with its permission check and audit event; a task
completes with exactly the fields its form declares (engine/bpmn/forms.py), and a task with no form
(a test diagram or an analyst's sketch) is refused these keys by name.
"""
from __future__ import annotations

REGISTRATION = ("anonymous", "category", "channel", "collective", "content", "content_class", "instructed",
                "key_case", "litigation_related", "multi_addressed", "organ", "persons", "petitioners",
                "problem_region", "purpose", "real_name", "received_at", "region", "representatives",
                "sensitive", "skip_level", "source", "subject", "urgent", "accused_unit", "reg_no",
                "number_overrides")
SERVICES = ("deadlines", "deadline_notes", "milestones", "query_code", "documents", "backlog",
            "satisfaction", "office_satisfaction", "rating", "unit_rating", "office_rating", "in_stats",
            "in_stats_basis", "organ_evaluations")
CASE_OWNED = frozenset(REGISTRATION + SERVICES)
