"""A scenario's result as rows and DataFrames: the changes, the blocking requirements, the verdicts."""

from __future__ import annotations

from grundschutz.method.scenario_compare import VERDICTS, ScenarioResult

CHANGE_COLUMNS = ("kind", "change", "object", "name", "item", "level", "title", "before", "after", "detail")
BLOCKING_COLUMNS = ("object", "name", "requirement", "baustein", "level", "title", "status", "responsible", "due",
                    "new", "applications")
VERDICT_COLUMNS = ("application", "name", "verdict", "text", "blocking", "requirements", "risk_analysis", "unrated",
                   "baseline_open")


def scenario_change_records(result: ScenarioResult) -> list[dict[str, object]]:
    """One record per change: ``kind`` is ``Schutzbedarf``, ``Baustein``, ``Anforderung``
    or ``Risikoanalyse``; ``change`` ``neu``, ``geändert``, ``hinzugefügt``, ``entfernt`` or ``nötig``."""
    objects = {**result.baseline.assessment.objects, **result.result.assessment.objects}

    def name(object_id: str) -> str:
        obj = objects.get(object_id)
        return obj.name if obj is not None else (result.result.modelling.informationsverbund.name
                                                 if result.result.modelling is not None else object_id)

    def record(kind, change, object_id, item="", level="", title="", before="", after="", detail=""):
        return {"kind": kind, "change": change, "object": object_id, "name": name(object_id), "item": item,
                "level": level, "title": title, "before": before, "after": after, "detail": detail}

    records = [
        record("Schutzbedarf", "neu" if n.new_object else "geändert", n.object, n.basic_value.value,
               before=n.before.label if n.before else "", after=n.after.label if n.after else "",
               detail=n.explanation)
        for n in result.needs
    ]
    for b in (*result.bausteine_added, *result.bausteine_removed):
        records.append(record("Baustein", b.change, b.object, b.baustein, title=b.title, detail=b.reason))
    for r in (*result.requirements_added, *result.requirements_removed):
        records.append(record("Anforderung", r.change, r.object, r.requirement, r.level, r.title, detail=r.reason))
    for r in result.risk_analyses:
        detail = "; ".join(r.reasons) + (f" (hält auf: {', '.join(r.applications)})" if r.applications else "")
        records.append(record("Risikoanalyse", "nötig", r.object, title=r.why_new, detail=detail))
    return records


def blocking_records(result: ScenarioResult) -> list[dict[str, object]]:
    """One record per blocking requirement, in check order (objects in modelling order)."""
    objects = result.result.assessment.objects
    verbund = result.result.modelling.informationsverbund if result.result.modelling is not None else None
    return [
        {"object": b.object, "name": objects[b.object].name if b.object in objects else getattr(verbund, "name", ""),
         "requirement": b.requirement, "baustein": b.baustein, "level": b.level, "title": b.title,
         "status": b.status, "responsible": b.responsible, "due": b.due, "new": b.new,
         "applications": list(b.applications)}
        for b in result.blocking
    ]


def verdict_records(result: ScenarioResult) -> list[dict[str, object]]:
    """One record per application of the scenario with its verdict."""
    return [
        {"application": v.application, "name": v.name, "verdict": v.verdict, "text": v.text,
         "blocking": len(v.requirements), "requirements": list(v.requirements),
         "risk_analysis": list(v.risk_objects), "unrated": [b.value for b in v.unrated],
         "baseline_open": v.baseline_open}
        for v in result.verdicts
    ]


def scenario_data(result: ScenarioResult) -> dict[str, object]:
    """The scenario and its verdicts, changes and blocking requirements as JSON-ready data
    (``scenario -f json``)."""
    return {"scenario": result.scenario.name, "description": result.scenario.description,
            "applications": list(result.scenario.applications), "verdicts": verdict_records(result),
            "changes": scenario_change_records(result), "blocking": blocking_records(result)}


def scenario_rows(result: ScenarioResult) -> list[dict[str, object]]:
    """Verdicts, changes and blocking requirements in one table, each row with its ``section``
    (``Urteil``, ``Änderung``, ``blockiert``) first (``scenario -f csv``)."""
    return ([{"section": "Urteil", **r} for r in verdict_records(result)]
            + [{"section": "Änderung", **r} for r in scenario_change_records(result)]
            + [{"section": "blockiert", **r} for r in blocking_records(result)])


def _frame(records, columns):
    import pandas as pd

    return pd.DataFrame.from_records(records, columns=list(columns))


def scenario_change_frame(result: ScenarioResult):
    """:func:`scenario_change_records` as a DataFrame."""
    return _frame(scenario_change_records(result), CHANGE_COLUMNS)


def blocking_frame(result: ScenarioResult):
    """:func:`blocking_records` as a DataFrame."""
    return _frame(blocking_records(result), BLOCKING_COLUMNS)


def verdict_frame(result: ScenarioResult):
    """:func:`verdict_records` as a DataFrame, ``verdict`` an ordered categorical (best first)."""
    import pandas as pd

    frame = _frame(verdict_records(result), VERDICT_COLUMNS)
    frame["verdict"] = frame["verdict"].astype(pd.CategoricalDtype(VERDICTS, ordered=True))
    return frame


def scenario_list_records(assessment) -> list[dict[str, object]]:
    """One record per scenario of an assessment: ``name``, ``description``, ``applications``."""
    return [{"name": name, "description": s.description, "applications": list(s.applications)}
            for name, s in assessment.scenarios.items()]
