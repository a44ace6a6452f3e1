"""A scenario set against its baseline: changed needs, Bausteine, requirements,
blocking requirements, risk analyses and a verdict per application.

The rules are described in :mod:`grundschutz.method.scenario`; the results as
rows and DataFrames are :mod:`grundschutz.views.scenario_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from grundschutz.method.explanation import explain_text
from grundschutz.method.risk import ATYPICAL_TAG, flag_objects
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Level

if TYPE_CHECKING:
    from grundschutz.method.analysis import Analysis

#: Verdict codes, from best to worst.
VERDICTS = ("bereit", "bereit-sobald", "risikoanalyse", "schutzbedarf-offen")


@dataclass(frozen=True)
class RiskFlag:
    """Why an object needs a risk analysis (``docs/method.md``, "Risikoanalyse").

    ``values``: basic values whose level flags it; ``unmodelled``: no fitting
    Baustein; ``atypical``: tagged ``atypisch``; ``reasons`` in German;
    ``kinds`` as in :data:`grundschutz.method.risk.FLAG_KINDS`.
    """

    object: str
    values: tuple[BasicValue, ...] = ()
    unmodelled: bool = False
    atypical: bool = False
    reasons: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


def risk_flags(analysis: Analysis) -> dict[str, RiskFlag]:
    """The objects of an analysis that need a risk analysis, by id.

    With a catalog this is :func:`grundschutz.method.risk.flag_objects` (``sehr hoch``
    always; ``hoch`` in the Kompendium edition; no fitting Baustein; tag
    ``atypisch``). Without one, only needs and the tag count.
    """
    result = analysis.propagation
    if analysis.selection is not None:
        flags = {}
        for object_id, flagged in flag_objects(analysis).items():
            kinds = flagged.kinds
            values = tuple(v for v in BASIC_VALUES if (level := result.level(object_id, v)) is not None
                           and (level is Level.SEHR_HOCH and "sehr hoch" in kinds
                                or level is Level.HOCH and "hoch" in kinds))
            flags[object_id] = RiskFlag(object_id, values, "ohne Baustein" in kinds, "atypisch" in kinds,
                                        tuple(r.text for r in flagged.reasons), kinds)
        return flags
    flags = {}
    for object_id, obj in analysis.assessment.objects.items():
        levels = {v: result.level(object_id, v) for v in BASIC_VALUES}
        high = tuple(v for v in BASIC_VALUES if levels[v] is not None and levels[v] >= Level.HOCH)
        atypical = any(key.casefold() == ATYPICAL_TAG for key in obj.tags)
        if high or atypical:
            reasons = [f"{v.label} {levels[v].label}" for v in high]
            reasons += ["atypischer Einsatz (Tag 'atypisch')"] if atypical else []
            kinds = tuple(dict.fromkeys(("sehr hoch" if levels[v] is Level.SEHR_HOCH else "hoch") for v in high))
            flags[object_id] = RiskFlag(object_id, high, False, atypical, tuple(reasons),
                                        kinds + (("atypisch",) if atypical else ()))
    return flags


@dataclass(frozen=True)
class NeedDifference:
    """A derived need that the scenario changes (or sets, for a new object)."""

    object: str
    basic_value: BasicValue
    before: Level | None
    after: Level | None
    new_object: bool
    explanation: str


@dataclass(frozen=True)
class BausteinDifference:
    """A Baustein the scenario adds to or removes from an object (``change``: ``hinzugefügt``/``entfernt``)."""

    object: str
    baustein: str
    title: str
    change: str
    reason: str


@dataclass(frozen=True)
class RequirementDifference:
    """A requirement the scenario selects in addition or no longer."""

    object: str
    requirement: str
    baustein: str
    level: str
    title: str
    change: str
    reason: str


@dataclass(frozen=True)
class Blocker:
    """A requirement that is not ``ja``/``entbehrlich`` and holds up ``applications``.

    ``new``: selected through the scenario (not selected in the baseline).
    """

    object: str
    requirement: str
    baustein: str
    level: str
    title: str
    status: str
    responsible: str
    due: str
    new: bool
    applications: tuple[str, ...]


@dataclass(frozen=True)
class RiskNeed:
    """A risk analysis the scenario makes necessary, and the applications it holds up.

    ``newly``: the object needs no risk analysis in the baseline (or is new);
    otherwise ``new_kinds`` are the reasons (:data:`grundschutz.method.risk.FLAG_KINDS`)
    the baseline did not have, e.g. ``sehr hoch``.
    """

    object: str
    reasons: tuple[str, ...]
    new_object: bool
    applications: tuple[str, ...]
    newly: bool = True
    new_kinds: tuple[str, ...] = ()

    @property
    def why_new(self) -> str:
        """German: why the analysis is new (new object, needed only now, or a new reason)."""
        if self.new_object:
            return "neues Zielobjekt"
        return "neu nötig" if self.newly else "neuer Grund: " + ", ".join(self.new_kinds)


@dataclass(frozen=True)
class Verdict:
    """The verdict on one application of the scenario (codes in :data:`VERDICTS`).

    ``requirements``: the blocking requirements as ``"REQ (OBJECT)"``;
    ``risk_objects``: objects whose risk analysis holds it up; ``unrated``:
    its basic values without a need; ``baseline_open``: requirements of its
    scope open already in the baseline (not counted unless ``include_baseline``),
    ``baseline_open_basis`` the Basis-Anforderungen among them (named in the
    text of ``bereit``, so that nobody reads it as "all is safe").
    """

    application: str
    name: str
    verdict: str
    text: str
    requirements: tuple[str, ...] = ()
    risk_objects: tuple[str, ...] = ()
    unrated: tuple[BasicValue, ...] = ()
    baseline_open: int = 0
    baseline_open_basis: int = 0


@dataclass(frozen=True)
class ScenarioResult:
    """Everything :func:`compare` finds; ``baseline`` and ``result`` are the two analyses."""

    scenario: object
    baseline: Analysis
    result: Analysis
    needs: tuple[NeedDifference, ...]
    bausteine_added: tuple[BausteinDifference, ...]
    bausteine_removed: tuple[BausteinDifference, ...]
    requirements_added: tuple[RequirementDifference, ...]
    requirements_removed: tuple[RequirementDifference, ...]
    blocking: tuple[Blocker, ...]
    risk_analyses: tuple[RiskNeed, ...]
    verdicts: tuple[Verdict, ...]
    include_baseline: bool = False

    def verdict(self, application: str) -> Verdict:
        """The verdict on one application of the scenario."""
        for verdict in self.verdicts:
            if verdict.application == application:
                return verdict
        raise KeyError(application)


def compare(baseline: Analysis, result: Analysis, scenario, *, include_baseline: bool = False) -> ScenarioResult:
    """Set the scenario's analysis ``result`` against the ``baseline`` (see :mod:`grundschutz.method.scenario`)."""
    new_objects = set(scenario.new_objects)
    base_objects = baseline.assessment.objects
    needs = []
    for object_id in sorted(result.assessment.objects):
        for value in BASIC_VALUES:
            after = result.propagation.level(object_id, value)
            before = baseline.propagation.level(object_id, value) if object_id in base_objects else None
            if object_id in new_objects or before != after:
                derivation = result.propagation.derivation(object_id, value)
                needs.append(NeedDifference(object_id, value, before, after, object_id in new_objects,
                                            explain_text(result.propagation, derivation)))
    bausteine_added, bausteine_removed = _baustein_differences(baseline, result)
    requirements_added, requirements_removed = _requirement_differences(baseline, result)

    graph = result.propagation.index
    scopes = {}
    for app in scenario.applications:
        seen = {graph.position[app]}
        stack = [graph.position[app]]
        while stack:
            for target in graph.supports[stack.pop()]:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        scopes[app] = {graph.ids[i] for i in seen}

    before_flags, after_flags = risk_flags(baseline), risk_flags(result)
    necessary = {}  # newly flagged, or flagged for a reason the baseline's analysis did not have
    for i, flag in after_flags.items():
        old_kinds = set(before_flags[i].kinds) if i in before_flags else None
        if old_kinds is None or set(flag.kinds) - old_kinds:
            necessary[i] = (flag, set(flag.kinds) - (old_kinds or set()), old_kinds is None)

    def holds_up(entry, app: str) -> bool:
        """Whether the new reason of the flag applies to ``app`` (see the module docstring)."""
        flag, new, newly = entry
        if new & {"ohne Baustein", "atypisch"}:
            return True
        for value in flag.values:
            level = result.propagation.level(flag.object, value)
            if newly:
                threshold = Level.HOCH
            elif level is Level.SEHR_HOCH and "sehr hoch" in new:
                threshold = Level.SEHR_HOCH
            elif level is Level.HOCH and "hoch" in new:
                threshold = Level.HOCH
            else:
                continue
            if result.propagation.derivation(flag.object, value).origin == flag.object:
                return True
            own = result.propagation.level(app, value)
            if own is not None and own >= threshold:
                return True
        return False

    risk_apps = {i: [a for a in scenario.applications if i in scopes[a] and holds_up(e, a)]
                 for i, e in necessary.items()}
    risk_analyses = tuple(RiskNeed(i, e[0].reasons, i in new_objects, tuple(risk_apps[i]), e[2],
                                   tuple(k for k in e[0].kinds if k in e[1]))
                          for i, e in sorted(necessary.items()))

    entries = list(result.check) if result.check is not None else []
    base_selected = {(r.object, r.requirement) for r in baseline.selection} if baseline.selection else set()
    verbund = result.modelling.informationsverbund.id if result.modelling is not None else None
    blocked_by: dict[tuple[str, str], list[str]] = {}
    verdicts = []
    for app in scenario.applications:
        scope = scopes[app]
        mine, old, old_basis = [], 0, 0
        for e in entries:
            if e.status.implemented or (e.object not in scope and e.object != verbund):
                continue
            new = (e.object, e.requirement) not in base_selected
            if new or include_baseline:
                mine.append(e)
                blocked_by.setdefault((e.object, e.requirement), []).append(app)
            if not new and e.object in scope:
                old += 1
                old_basis += e.level == "B"
        verdicts.append(_verdict(result, app, mine, [i for i in necessary if app in risk_apps[i]], old, old_basis))
    blocking = []
    for e in entries:
        key = (e.object, e.requirement)
        if key in blocked_by or (e.object in new_objects and not e.status.implemented):
            blocking.append(Blocker(e.object, e.requirement, e.baustein, e.level, e.title, e.status.value,
                                    e.responsible, e.due.isoformat() if e.due else "", key not in base_selected,
                                    tuple(blocked_by.get(key, ()))))
    return ScenarioResult(scenario, baseline, result, tuple(needs), bausteine_added, bausteine_removed,
                          requirements_added, requirements_removed, tuple(blocking), risk_analyses, tuple(verdicts),
                          include_baseline)


def _verdict(result: Analysis, app: str, blockers: list, risk_objects: list[str], old: int,
             old_basis: int = 0) -> Verdict:
    objects = result.assessment.objects
    name = objects[app].name
    unrated = tuple(v for v in BASIC_VALUES if result.propagation.level(app, v) is None)
    requirements = tuple(f"{e.requirement} ({e.object})" for e in blockers)
    risk_objects = sorted(risk_objects)
    if unrated:
        code = "schutzbedarf-offen"
        open_values = ", ".join(f"{v.label} nicht bewertet" for v in unrated)
        text = f"nicht vor der Schutzbedarfsfeststellung ({open_values})"
    elif risk_objects:
        code = "risikoanalyse"
        text = "nicht vor einer Risikoanalyse für " + ", ".join(f"{i} ({objects[i].name})" for i in risk_objects)
    elif requirements:
        code = "bereit-sobald"
        count = len(requirements)
        text = (f"bereit, sobald {count} Anforderung{'en' if count > 1 else ''} umgesetzt "
                f"{'sind' if count > 1 else 'ist'}: " + ", ".join(requirements))
    else:
        code = "bereit"
        basis = (f"{old_basis} Basis-Anforderung{'en' if old_basis > 1 else ''}" if old_basis
                 else "keine Basis-Anforderung")
        text = f"bereit aus Sicht des Szenarios; im Bestand offen: {basis}"
    return Verdict(app, name, code, text, requirements, tuple(risk_objects), unrated, old, old_basis)


def _baustein_differences(baseline: Analysis, result: Analysis):
    if baseline.modelling is None or result.modelling is None:
        return (), ()

    def pairs(analysis):
        return {(o, a.baustein): a for o, m in analysis.modelling.objects.items() for a in m.assignments}

    before, after = pairs(baseline), pairs(result)
    added = tuple(BausteinDifference(o, b, a.title, "hinzugefügt", a.reason)
                  for (o, b), a in after.items() if (o, b) not in before)
    removed = []
    for (o, b), a in before.items():
        if (o, b) in after:
            continue
        if o not in result.modelling.objects:
            reason = "Zielobjekt entfällt im Szenario"
        else:
            reason = next((r.reason for r in result.modelling.objects[o].removals if r.baustein == b),
                          "keine Regel ordnet den Baustein im Szenario mehr zu")
        removed.append(BausteinDifference(o, b, a.title, "entfernt", reason))
    return added, tuple(removed)


def _requirement_differences(baseline: Analysis, result: Analysis):
    if baseline.selection is None or result.selection is None:
        return (), ()
    before = {(r.object, r.requirement): r for r in baseline.selection}
    after = {(r.object, r.requirement): r for r in result.selection}

    def item(r, change, reason):
        return RequirementDifference(r.object, r.requirement, r.baustein, r.level, r.title, change, reason)

    added = tuple(item(r, "hinzugefügt", r.reason) for key, r in after.items() if key not in before)
    removed = []
    for key, r in before.items():
        if key in after:
            continue
        if r.object not in result.modelling.objects:
            reason = "Zielobjekt entfällt im Szenario"
        elif r.baustein not in result.modelling.objects[r.object].bausteine:
            reason = f"Baustein {r.baustein} entfällt"
        else:
            needs = result.selection.needs.get(r.object, {})
            shown = ", ".join(f"{BasicValue.parse(c).label} {needs[BasicValue.parse(c)].label}" for c in r.cia
                              if needs.get(BasicValue.parse(c)) is not None)
            reason = f"H-Anforderung (CIA: {r.cia or '-'}) nicht mehr ausgewählt, Schutzbedarf {shown or 'nicht hoch'}"
        removed.append(item(r, "entfernt", reason))
    return added, tuple(removed)
