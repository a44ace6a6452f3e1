"""The migration to Grundschutz++ as rows and DataFrames, in three views: controls, links, coverage."""

from __future__ import annotations

from grundschutz.method.migration import LINK_OUTCOMES, OUTCOMES, VIEWS, Migration
from grundschutz.model.errors import GrundschutzError


def migration_records(migration: Migration, view: str = "controls") -> list[dict[str, object]]:
    """The migration as plain records; ``view`` is one of :data:`VIEWS`.

    - ``controls``: one per object and selected control: ``object, control,
      group, title, level, effort_level, outcome, status, sources, reason``
      (``status`` ``""`` unless carried over; ``sources`` the mapped requirements);
    - ``links``: one per checked requirement and mapped control: ``object,
      requirement, baustein, status, control, relationship, sub_requirements,
      outcome, reason``;
    - ``coverage``: one per object plus a last row ``object`` = ``"Gesamt"``:
      ``object, name, controls, carried, hints, new, to_assess, percent``.
    """
    if view not in VIEWS:
        raise GrundschutzError(f"unbekannte Ansicht '{view}' (erlaubt: {', '.join(VIEWS)})")
    if view == "controls":
        return [
            {"object": c.object, "control": c.control, "group": c.group, "title": c.title, "level": c.level,
             "effort_level": c.effort_level, "outcome": c.outcome, "status": c.status.value if c.status else "",
             "sources": ", ".join(dict.fromkeys(s.requirement for s in c.sources)), "reason": c.reason}
            for c in migration.controls
        ]
    if view == "links":
        return [
            {"object": link.object, "requirement": link.requirement, "baustein": link.baustein,
             "status": link.status.value, "control": link.control, "relationship": link.relationship,
             "sub_requirements": "; ".join(f"{s} {r}" for s, r in link.relationships),
             "outcome": link.outcome, "reason": link.reason}
            for link in migration.links
        ]
    objects = migration.selection.modelling.objects
    rows = [*migration.coverage(), migration.overall()]
    return [
        {"object": row.object or "Gesamt", "name": objects[row.object].object.name if row.object else "",
         "controls": row.controls, "carried": row.carried, "hints": row.hints, "new": row.new,
         "to_assess": row.to_assess, "percent": None if row.percent is None else round(row.percent, 1)}
        for row in rows
    ]


_FRAME_COLUMNS = {
    "controls": ["object", "control", "group", "title", "level", "effort_level", "outcome", "status", "sources",
                 "reason"],
    "links": ["object", "requirement", "baustein", "status", "control", "relationship", "sub_requirements",
              "outcome", "reason"],
    "coverage": ["object", "name", "controls", "carried", "hints", "new", "to_assess", "percent"],
}


def migration_frame(migration: Migration, view: str = "controls"):
    """:func:`migration_records` as a pandas DataFrame (``outcome`` categorical;
    ``coverage`` indexed by object, the last row being ``Gesamt``)."""
    import pandas as pd

    frame = pd.DataFrame.from_records(migration_records(migration, view), columns=_FRAME_COLUMNS[view])
    if view == "controls":
        frame["outcome"] = frame["outcome"].astype(pd.CategoricalDtype(OUTCOMES))
        frame["effort_level"] = frame["effort_level"].astype("Int64")
    elif view == "links":
        frame["outcome"] = frame["outcome"].astype(pd.CategoricalDtype(LINK_OUTCOMES))
    else:
        frame = frame.set_index("object")
    return frame
