"""The summary of a propagation: what ``grundschutz assess`` reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from grundschutz.method.propagation import Propagation
from grundschutz.model import BASIC_VALUES, Level, ObjectType


@dataclass(frozen=True)
class Summary:
    """What ``grundschutz assess`` reports about a propagation."""

    name: str
    objects: int
    dependencies: int
    per_type: dict[str, int]
    per_level: dict[str, dict[str, int]]
    unrated: dict[str, list[str]]
    provisional: dict[str, list[str]]
    cycles: list[list[str]]
    cumulations: list[dict[str, object]]
    candidates: list[dict[str, object]]
    distributions: list[dict[str, object]]
    shared: list[dict[str, object]]
    deviations: list[dict[str, object]]
    overrides: int

    def as_dict(self) -> dict[str, object]:
        """The summary as plain data for JSON."""
        return dict(self.__dict__)


def summarize(result: Propagation) -> Summary:
    """Count and list what an IT security officer looks at after propagation."""
    assessment = result.assessment
    ids = result.index.ids
    per_type = Counter(obj.type.value for obj in assessment.objects.values())
    per_level = {}
    unrated = {}
    provisional = {}
    for value in BASIC_VALUES:
        levels = result.levels[value]
        counts = Counter(levels)
        per_level[value.value] = {
            **{level.label: counts.get(int(level), 0) for level in Level},
            "nicht bewertet": counts.get(0, 0),
        }
        unrated[value.value] = [ids[i] for i, level in enumerate(levels) if level == 0]
        provisional[value.value] = [
            ids[i] for i, flag in enumerate(result.provisional[value]) if flag and levels[i]
        ]
    return Summary(
        name=assessment.settings.name,
        objects=len(assessment.objects),
        dependencies=len(assessment.dependencies),
        per_type={t.value: per_type[t.value] for t in ObjectType if per_type.get(t.value)},
        per_level=per_level,
        unrated=unrated,
        provisional=provisional,
        cycles=[list(c) for c in result.cycles],
        cumulations=[_event_record(e) for e in result.cumulations],
        candidates=[_event_record(e) for e in result.candidates],
        distributions=[
            {
                "object": e.object,
                "basic_value": e.basic_value.value,
                "via": list(e.via),
                "without": e.without.label,
                "level": e.level.label if e.level else "",
            }
            for e in result.distributions
        ],
        shared=[
            {
                "object": e.object,
                "basic_value": e.basic_value.value,
                "dependent": e.dependent,
                "group": e.group,
                "members": list(e.members),
                "lowered": e.lowered.label if e.lowered else "",
                "level": e.level.label,
            }
            for e in result.shared
        ],
        deviations=[
            {
                "object": d.object,
                "basic_value": d.basic_value.value,
                "computed": d.computed.label if d.computed else "",
                "level": d.level.label if d.level else "",
                "reason": d.reason,
            }
            for d in result.deviations
        ],
        overrides=sum(len(o) for o in assessment.overrides.values()),
    )


def _event_record(event) -> dict[str, object]:
    return {
        "object": event.object,
        "basic_value": event.basic_value.value,
        "rule": event.rule.name,
        "dependents": event.count,
        "threshold": event.rule.min_dependents,
        "at_level": event.rule.at_level.label,
        "before": event.before.label if event.before else "",
        "raise_to": event.rule.raise_to.label,
    }


def catalog_summary(analysis) -> dict[str, object]:
    """Counts of Modellierung, requirement selection and IT-Grundschutz-Check
    of an :class:`~grundschutz.method.analysis.Analysis`; ``{"note": ...}`` when it
    was made without a catalog."""
    if analysis.modelling is None:
        return {"note": analysis.catalog_note}
    modelling, selection, check = analysis.modelling, analysis.selection, analysis.check
    counts = check.counts()
    total = sum(counts.values())
    done = counts.get("ja", 0) + counts.get("entbehrlich", 0)
    return {
        "variant": selection.variant,
        "objects_with_bausteine": len(modelling.modelled),
        "objects_covered": len(modelling.covered),
        "objects_without_baustein": list(modelling.unmodelled),
        "assignments": sum(len(m.assignments) for m in modelling.objects.values()),
        "requirements": selection.count_by_level(),
        "undecided": len(selection.undecided),
        "check": counts,
        "implemented_percent": round(100.0 * done / total, 1) if total else None,
    }
