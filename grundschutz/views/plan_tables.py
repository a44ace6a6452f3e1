"""The work plan as rows and a DataFrame."""

from __future__ import annotations

from grundschutz.method.plan import GROUPS, WorkPlan

PLAN_COLUMNS = ["rank", "group", "group_title", "kind", "object", "name", "subject", "title", "level", "need",
                "role", "status", "reason"]


def plan_records(plan: WorkPlan, limit: int | None = None) -> list[dict[str, object]]:
    """The plan as records (first ``limit`` items; all if ``None`` or 0).

    Columns: ``rank, group, group_title, kind, object, name, subject,
    title, level, need, role, status, reason``.
    """
    items = plan.items[:limit] if limit else plan.items
    return [{"rank": i.rank, "group": i.group, "group_title": i.group_title, "kind": i.kind, "object": i.object,
             "name": i.name, "subject": i.subject, "title": i.title, "level": i.level, "need": i.need,
             "role": i.role, "status": i.status, "reason": i.reason} for i in items]


def plan_frame(plan: WorkPlan, limit: int | None = None):
    """:func:`plan_records` as a DataFrame indexed by ``rank``; ``group_title`` ordered categorical.

    >>> plan_frame(WorkPlan(())).empty
    True
    """
    import pandas as pd

    frame = pd.DataFrame.from_records(plan_records(plan, limit), columns=PLAN_COLUMNS)
    frame["group_title"] = frame["group_title"].astype(pd.CategoricalDtype(list(GROUPS.values()), ordered=True))
    return frame.set_index("rank")
