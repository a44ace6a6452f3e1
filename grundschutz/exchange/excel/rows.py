"""The rows of the table sheets of the workbook, as dicts by column key.

:func:`sheet_rows` gives the rows of one sheet; the export writes them
(:mod:`grundschutz.exchange.excel.export`) and the import compares the edited
workbook with them (:mod:`grundschutz.exchange.excel.importing`): what the
export shows is what the import compares with. The columns of each sheet are
defined in :mod:`grundschutz.exchange.excel.layout`. The sheets of the later
steps (Risikoanalyse, Realisierungsplan, scenarios) are put together in
:mod:`grundschutz.exchange.excel.sheets`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from grundschutz.exchange.excel.layout import EFFECT_LABELS
from grundschutz.model import BasicValue
from grundschutz.views.scenario_tables import blocking_records, scenario_change_records, verdict_records

_VERDICTS = {"bereit": "bereit", "bereit-sobald": "bereit, sobald Anforderungen umgesetzt sind",
             "risikoanalyse": "nicht vor einer Risikoanalyse",
             "schutzbedarf-offen": "nicht vor der Schutzbedarfsfeststellung"}


def _names(analysis) -> dict[str, str]:
    names = {i: o.name for i, o in analysis.assessment.objects.items()}
    if analysis.modelling is not None:
        verbund = analysis.modelling.informationsverbund
        names.setdefault(verbund.id, verbund.name)
    return names


def object_rows(analysis) -> Iterator[dict[str, object]]:
    """Strukturanalyse: one row per object of ``objects.csv``."""
    for obj in analysis.assessment.objects.values():
        tags = "; ".join(f"{k}={v}" if v else k for k, v in obj.tags.items())
        yield {"id": obj.id, "type": obj.type.label, "name": obj.name, "description": obj.description,
               "tags": tags, "count": obj.count}


def dependency_rows(analysis) -> Iterator[dict[str, object]]:
    """Abhängigkeiten: one row per edge of ``dependencies.csv``."""
    names = _names(analysis)
    for d in analysis.assessment.dependencies:
        yield {"object": d.source, "object_name": names.get(d.source, ""), "depends_on": d.target,
               "depends_on_name": names.get(d.target, ""), "redundancy_group": d.redundancy_group, "note": d.note}


def need_rows(analysis) -> Iterator[dict[str, object]]:
    """Schutzbedarfsfeststellung: per object the assessed values and reasons,
    the values set by hand (level, effect, reason) and the final values with
    rule, source and the derivation in words."""
    from grundschutz.method.explanation import explain_text

    assessment, result = analysis.assessment, analysis.propagation
    for obj in assessment.objects.values():
        row: dict[str, object] = {"object": obj.id, "name": obj.name, "type": obj.type.label}
        needs = assessment.needs.get(obj.id, {})
        overrides = assessment.overrides.get(obj.id, {})
        for value, d in result.derivations(obj.id).items():
            v = value.value
            need, override = needs.get(value), overrides.get(value)
            row[v] = need.level.label if need else ""
            row[f"{v}_reason"] = need.reason if need else ""
            row[f"{v}_override"] = override.level.label if override else ""
            row[f"{v}_effect"] = EFFECT_LABELS[override.effect.value] if override else ""
            row[f"{v}_override_reason"] = override.reason if override else ""
            row[f"{v}_final"] = d.level.label if d.level else ""
            row[f"{v}_rule"] = d.rule.label if d.rule else "nicht bewertet"
            row[f"{v}_source"] = d.origin or ""
            row[f"{v}_text"] = explain_text(result, d)
        yield row


def modelling_rows(analysis) -> Iterator[dict[str, object]]:
    """Modellierung: one row per object and Baustein (assigned or removed),
    one row with an empty Baustein for an object without Bausteine.

    ``assignment`` is ``zugeordnet``/``entfernt`` (empty for rows without a
    Baustein), ``reason`` the reason written in ``modelling.csv`` (empty for
    a Baustein assigned by a rule and not changed by hand), ``hint`` the tags
    the object's name suggests (also appended to ``rule_reason`` of a row
    without Baustein, so that the sheet never says a bare "kein passender
    Baustein" when the name says what the object is).
    """
    from grundschutz.views.requirements_tables import modelling_hint, without_baustein_reason

    modelling = analysis.modelling
    raw, rule_reasons = {}, {}
    if analysis.assessment.settings.edition != "grundschutz++":  # Grundschutz++: no hand changes
        rule_reasons = {rule.id: rule.reason for rule in analysis.catalog.modelling_rules()}
        raw = {(c.object, c.baustein): c.reason for c in analysis.assessment.modelling_changes}
    for object_id, entry in modelling.objects.items():
        obj = entry.object
        hint = modelling_hint(entry)
        head = {"object": object_id, "name": obj.name, "type": obj.type.label}
        for a in entry.assignments:
            yield {**head, "baustein": a.baustein, "title": a.title, "source": "von Hand" if a.manual else "Regel",
                   "rule": a.rule, "rule_reason": "" if a.manual else a.reason, "assignment": "zugeordnet",
                   "reason": raw.get((object_id, a.baustein), "") if a.manual else "", "hint": hint}
        for r in entry.removals:
            yield {**head, "baustein": r.baustein, "title": r.title, "source": "Regel", "rule": r.rule,
                   "rule_reason": rule_reasons.get(r.rule, ""), "assignment": "entfernt", "reason": r.reason,
                   "hint": hint}
        if not entry.assignments:
            text = without_baustein_reason(entry) + (f" – Name passt zu: {hint}" if hint else "")
            yield {**head, "baustein": "", "title": "", "source": "abgedeckt" if entry.covered else "ohne Baustein",
                   "rule": entry.covered_rule or getattr(entry, "uncovered_rule", ""), "rule_reason": text,
                   "assignment": "", "reason": "", "hint": hint}


def check_rows(analysis) -> Iterator[dict[str, object]]:
    """IT-Grundschutz-Check: one row per selected requirement with its status."""
    names = _names(analysis)
    for e in analysis.check.entries:
        yield {"object": e.object, "name": names.get(e.object, ""), "baustein": e.baustein,
               "requirement": e.requirement, "level": e.level, "title": e.title, "status": e.status.value,
               "note": e.note, "responsible": e.responsible, "due": e.due, "checked_on": e.checked_on}


_ROWS: Mapping[str, Callable[[object], Iterator[dict[str, object]]]] = {
    "objects": object_rows, "dependencies": dependency_rows, "needs": need_rows,
    "modelling": modelling_rows, "check": check_rows,
}


def risk_rows(analysis) -> Iterator[dict[str, object]]:
    """Risikoanalyse: per object that needs one (or has rows in ``risks.csv``) every threat."""
    risks = analysis.risks
    names = _names(analysis)

    def label(value) -> str:
        return value.label if value is not None else ""

    for entry in risks:
        for r in entry.risks:
            yield {"object": r.object, "name": names.get(r.object, ""), "threat": r.threat, "title": r.title,
                   "source": r.source, "requirements": ", ".join(r.requirements), "frequency": label(r.frequency),
                   "impact": label(r.impact), "risk": label(r.category), "treatment": label(r.treatment),
                   "note": r.note, "accepted_by": r.accepted_by, "residual_frequency": label(r.residual_frequency),
                   "residual_impact": label(r.residual_impact), "residual_risk": label(r.residual_category),
                   "status": r.status}


def plan_rows(analysis) -> Iterator[dict[str, object]]:
    """Realisierungsplan: the items of the work plan, one dict at a time."""
    for item in analysis.plan:
        yield {"rank": item.rank, "group_title": item.group_title, "object": item.object, "name": item.name,
               "subject": item.subject, "title": item.title, "level": item.level, "need": item.need,
               "role": item.role, "status": item.status, "reason": item.reason}


def scenario_rows(result) -> list[dict[str, object]]:
    """A scenario's sheet: the verdict per application, the changes, the blocking requirements."""
    rows: list[dict[str, object]] = []
    for v in verdict_records(result):
        detail = [f"{v['blocking']} blockierende Anforderungen"] if v["blocking"] else []
        if v["risk_analysis"]:
            detail.append(f"Risikoanalyse nötig für {', '.join(v['risk_analysis'])}")
        if v["unrated"]:
            detail.append("nicht bewertet: " + ", ".join(BasicValue(u).label for u in v["unrated"]))
        detail.append(f"in der Ausgangslage bereits offen: {v['baseline_open']}")
        rows.append({"kind": "Urteil", "change": _VERDICTS.get(v["verdict"], v["verdict"]), "object": v["application"],
                     "name": v["name"], "title": v["text"], "detail": "; ".join(detail)})
    for c in scenario_change_records(result):
        item = BasicValue(c["item"]).label if c["kind"] == "Schutzbedarf" else c["item"]
        rows.append({**c, "item": item})
    for b in blocking_records(result):
        rows.append({"kind": "blockierende Anforderung", "change": "neu" if b["new"] else "offen",
                     "object": b["object"], "name": b["name"], "item": b["requirement"], "level": b["level"],
                     "title": b["title"], "status": b["status"], "responsible": b["responsible"],
                     "due": b["due"] or None, "detail": "blockiert: " + ", ".join(b["applications"])})
    return rows


def sheet_rows(analysis, name: str) -> Iterator[dict[str, object]]:
    """The rows of sheet ``name`` (a key of :data:`~grundschutz.exchange.excel.layout.SHEETS`
    or ``risks``) as dicts by column key."""
    if name == "risks":
        return risk_rows(analysis)
    return _ROWS[name](analysis)

