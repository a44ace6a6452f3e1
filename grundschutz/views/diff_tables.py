"""The differences between two states of an assessment as one table (``grundschutz diff``)."""

from __future__ import annotations

from grundschutz.method.diff import AssessmentDiff

DIFF_COLUMNS = ("kind", "change", "object", "item", "title", "old", "new", "detail")


def diff_records(diff: AssessmentDiff) -> list[dict[str, object]]:
    """Every difference as one record: ``kind`` (``Zielobjekt``, ``Abhängigkeit``,
    ``Schutzbedarf``, ``Baustein``, ``Anforderung``, ``Check``), ``change``
    (``hinzugefügt``, ``entfernt``, ``geändert``), ``object``, ``item``,
    ``title``, ``old``, ``new``, ``detail``."""
    records = []

    def add(kind, change, object_id, item="", title="", old="", new="", detail=""):
        records.append({"kind": kind, "change": change, "object": object_id, "item": item, "title": title,
                        "old": old, "new": new, "detail": detail})

    for obj in diff.objects_added:
        add("Zielobjekt", "hinzugefügt", obj.id, obj.type.value, obj.name, new=str(obj.count))
    for obj in diff.objects_removed:
        add("Zielobjekt", "entfernt", obj.id, obj.type.value, obj.name, old=str(obj.count))
    for c in diff.objects_changed:
        add("Zielobjekt", "geändert", c.object, c.field, old=c.old, new=c.new)
    for change, deps in (("hinzugefügt", diff.dependencies_added), ("entfernt", diff.dependencies_removed)):
        for d in deps:
            add("Abhängigkeit", change, d.source, d.target, detail=d.note,
                **({"new": d.redundancy_group} if change == "hinzugefügt" else {"old": d.redundancy_group}))
    for n in diff.needs_changed:
        add("Schutzbedarf", "geändert", n.object, n.basic_value.value, old=n.old.label if n.old else "",
            new=n.new.label if n.new else "", detail=n.explanation)
    for kind, added, dropped in (("Baustein", diff.bausteine_added, diff.bausteine_dropped),
                                 ("Anforderung", diff.requirements_added, diff.requirements_dropped)):
        for object_id, item, title in added:
            add(kind, "hinzugefügt", object_id, item, title)
        for object_id, item, title in dropped:
            add(kind, "entfernt", object_id, item, title)
    for s in diff.status_changes:
        add("Check", "geändert", s.object, s.requirement, s.title, s.old, s.new, s.note)
    return records


def diff_frame(diff: AssessmentDiff):
    """:func:`diff_records` as a pandas DataFrame."""
    import pandas as pd

    return pd.DataFrame.from_records(diff_records(diff), columns=list(DIFF_COLUMNS))
