"""Grundschutz++ mode: Modellierung by Zielobjekt-Kategorien and control selection.

The counterpart of :mod:`grundschutz.method.modelling` and
:mod:`grundschutz.method.selection` for assessments with ``edition:
grundschutz++`` (``docs/method.md``, "Grundschutz++ mode"). The controls in
force and the categories come from :meth:`Catalog.gspp
<grundschutz.catalog.loading.Catalog.gspp>`, the rules from
``catalogs/gspp_modelling.yaml`` (:meth:`Catalog.gspp_rules
<grundschutz.catalog.loading.Catalog.gspp_rules>`).

1. :func:`model_gspp`: the categories of every object and of the implicit
   Informationsverbund. Parent categories are added: a control for
   ``IT-Systeme`` applies to a server modelled as ``Hostsysteme``.
2. :func:`select_gspp`: per object every control with at least one matching
   category; controls without category of the ISMS practices (GC, STM, PERF,
   VRB, UMS) go to objects whose rule says ``general`` (the
   Informationsverbund, Methodik STM.2.1.1); the other controls without
   category follow the relevance decisions of ``relevance.csv`` and are
   undecided while there is none (STM.2.1.5,
   :mod:`grundschutz.method.gspp_relevance`). ``normal-SdT`` always;
   ``erhöht`` where the derived need is ``hoch`` or above in a basic value
   the control addresses (all three, unless the control carries the G0 props
   C/I/A). Grundschutz++ knows only ``normal`` and ``hoch``: ``sehr hoch``
   counts as ``hoch``; a high need flags a risk analysis (Methodik GC.7.2,
   :attr:`GsppSelection.risk_analysis`). There are no variants ``basis`` and
   ``kern``.
3. :func:`gspp_requirement_check`: the rows of ``check.csv`` name control ids.

The results keep the shapes of the Kompendium mode so that
:mod:`grundschutz.method.check` and the tables work unchanged: an
:class:`~grundschutz.method.modelling.Assignment`'s ``baustein`` is a category (or
:data:`GENERAL`); a :class:`~grundschutz.method.selection.SelectedRequirement`'s
``requirement`` is the control id, ``baustein`` the control's innermost group
(e.g. ``ASST.2``), ``level`` its ``sec_level`` and ``cia`` the letters of the
G0 props (empty without them). ``effort_level`` (0-5) and the modal verb stay
available on :class:`GsppSelection` for the work plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.catalog.gspp_controls import GsppCatalog, control_cia
from grundschutz.method.check import RequirementCheck
from grundschutz.method.modelling import (
    Assignment,
    Modelling,
    ObjectModelling,
    informationsverbund_object,
)
from grundschutz.method.gspp_relevance import (
    GSPP_VARIANT_REFUSED,
    RELEVANCE_OPEN,
    is_isms_control,
    relevance_by_object,
    relevance_open,
    struck,
)
from grundschutz.method.selection import (
    VARIANTS,
    RequirementSelection,
    SelectedRequirement,
    informationsverbund_needs,
)
from grundschutz.model import Assessment
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.ids import is_requirement_id
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Level
from grundschutz.model.rules import CategoryRule, GsppRules

#: Pseudo-category of the controls that name no Zielobjekt-Kategorie.
GENERAL = "(allgemein)"
GENERAL_TITLE = "Controls ohne Zielobjekt-Kategorie (Methodik, Governance, Prozesse, Organisation)"
SEC_NORMAL = "normal-SdT"
SEC_RAISED = "erhöht"
SEC_LEVELS = (SEC_NORMAL, SEC_RAISED)


# --------------------------------------------------------------------------- Modellierung


@dataclass(frozen=True)
class GsppModelling(Modelling):
    """A :class:`~grundschutz.method.modelling.Modelling` whose assignments are
    Zielobjekt-Kategorien (``baustein`` = category name, :data:`GENERAL` for
    the controls without category); ``catalog`` is the catalog it was made for."""

    catalog: GsppCatalog | None = field(default=None, repr=False, compare=False)

    def categories(self, object_id: str) -> tuple[str, ...]:
        """The Zielobjekt-Kategorien of an object, parent categories included."""
        return tuple(a.baustein for a in self[object_id].assignments if a.baustein != GENERAL)

    def general(self, object_id: str) -> bool:
        """Whether the object carries the controls without Zielobjekt-Kategorie."""
        return any(a.baustein == GENERAL for a in self[object_id].assignments)


def model_gspp(assessment: Assessment, catalog: GsppCatalog, rules: GsppRules) -> GsppModelling:
    """Assign Zielobjekt-Kategorien to every object and to the Informationsverbund.

    Every matching rule (whose ``when_present`` holds) adds its categories;
    the first rule naming a category gives its reason; then the parent
    categories follow. Hand changes (``modelling.csv``) name Bausteine of the
    Kompendium and are refused when the assessment is read. ``rules`` must
    have been checked against ``catalog`` (:meth:`Catalog.gspp_rules
    <grundschutz.catalog.loading.Catalog.gspp_rules>` does that).
    """
    if not isinstance(catalog, GsppCatalog):
        raise GrundschutzError(
            "Die Bewertung ist auf Grundschutz++ eingestellt (edition: grundschutz++): die Modellierung nach "
            "Zielobjekt-Kategorien braucht den Grundschutz++-Katalog, gspp_catalog(load_catalog(DIR)), "
            "nicht das Kompendium 2023."
        )
    if not isinstance(rules, GsppRules):
        raise GrundschutzError("Für Grundschutz++ gelten die Regeln aus gspp_modelling.yaml, nicht modelling.yaml.")
    verbund = informationsverbund_object(assessment)
    objects = [verbund] + [o for o in assessment.objects.values() if o.id != verbund.id]
    active = [r for r in rules
              if r.when_present is None or any(r.when_present.matches(o) for o in assessment.objects.values())]
    result = {}
    for obj in objects:
        current: dict[str, Assignment] = {}
        covered: CategoryRule | None = None
        for rule in active:
            if not rule.selector.matches(obj):
                continue
            if rule.covered and covered is None:
                covered = rule
            if rule.general:
                current.setdefault(GENERAL, Assignment(GENERAL, GENERAL_TITLE, rule.reason, rule.id))
            for name in rule.categories:
                current.setdefault(name, Assignment(name, catalog.path(name), rule.reason, rule.id))
        for direct in [a for a in current.values() if a.baustein != GENERAL]:
            for parent in catalog.ancestors(direct.baustein):
                current.setdefault(parent, Assignment(
                    parent, catalog.path(parent),
                    f"Oberkategorie von {direct.baustein}: die Controls für {parent} gelten auch hier", direct.rule))
        result[obj.id] = ObjectModelling(obj, tuple(current.values()), (), covered.reason if covered else "",
                                         covered.id if covered else "")
    return GsppModelling(assessment, verbund, result, rules.source, catalog)


# --------------------------------------------------------------------------- control selection


@dataclass(frozen=True)
class GsppSelection(RequirementSelection):
    """A :class:`~grundschutz.method.modelling.RequirementSelection` of Grundschutz++ controls.

    ``effort_levels`` and ``modal_verbs`` by control id (for the work plan);
    ``risk_analysis``: objects whose derived need is ``hoch`` or above in
    some basic value, with the reason (Methodik GC.7.2); the
    Informationsverbund, whose need is only the maximum of all, is not flagged.
    """

    effort_levels: Mapping[str, int | None] = field(default_factory=dict)
    modal_verbs: Mapping[str, str | None] = field(default_factory=dict)
    risk_analysis: Mapping[str, str] = field(default_factory=dict)
    catalog_title: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("effort_levels", "modal_verbs", "risk_analysis"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def count_by_level(self) -> dict[str, int]:
        """Number of selected controls per ``sec_level``."""
        return {level: sum(r.level == level for r in self.requirements) for level in SEC_LEVELS}


def select_gspp(
    modelling: GsppModelling, propagation, catalog: GsppCatalog | None = None, variant: str | None = None, *,
    provisional_relevance: bool = False,
) -> GsppSelection:
    """Select the Grundschutz++ controls of every object (see the module docstring).

    ``erhöht`` by need; an ``erhöht`` control whose basic values are not high
    but partly unrated goes to ``undecided``. A ``sec_level`` other than
    ``erhöht`` (``normal-SdT``, or missing) is selected always. Grundschutz++
    has no Basis- and Kern-Absicherung: the variants ``basis`` and ``kern``
    are refused. Controls without Zielobjekt-Kategorie: those of the ISMS
    practices go to the Informationsverbund (Methodik STM.2.1.1), the others
    follow the relevance decisions of ``relevance.csv`` (STM.2.1.5) and are
    ``undecided`` while there is none; with ``provisional_relevance`` (the
    migration, whose Kompendium assessment has no decisions yet) they stay on
    the Informationsverbund, their reason saying the decision is open. The
    Informationsverbund takes, per basic value, the maximum need of all objects.
    """
    if not isinstance(modelling, GsppModelling):
        raise GrundschutzError("Grundschutz++-Auswahl braucht eine Modellierung aus model_gspp")
    catalog = catalog if isinstance(catalog, GsppCatalog) else modelling.catalog
    if catalog is None:
        raise GrundschutzError("Grundschutz++-Auswahl braucht den Grundschutz++-Katalog (gspp_catalog)")
    variant = (variant or modelling.assessment.settings.variant or "standard").strip().lower()
    if variant not in VARIANTS:
        raise GrundschutzError(f"unbekannte Variante '{variant}' (erlaubt: {', '.join(VARIANTS)})")
    if variant != "standard":
        raise GrundschutzError(GSPP_VARIANT_REFUSED.format(variant=variant))
    if propagation.assessment.objects.keys() != modelling.assessment.objects.keys():
        raise GrundschutzError("Schutzbedarf und Modellierung gehören nicht zur selben Bewertung")
    order = {cid: i for i, cid in enumerate(catalog.controls)}
    by_category: dict[str, list[str]] = {}
    general: list[str] = []
    for control in catalog.controls.values():
        for name in control.target_categories:
            by_category.setdefault(name, []).append(control.id)
        if not control.target_categories and is_isms_control(control.id):
            general.append(control.id)
    verbund = modelling.informationsverbund
    verbund_needs = informationsverbund_needs(propagation)
    decided = relevance_by_object(modelling, catalog)
    needs, selected, undecided, risk = {}, [], [], {}
    for object_id, entry in modelling.objects.items():
        own = verbund_needs if object_id == verbund.id else {v: propagation.level(object_id, v) for v in BASIC_VALUES}
        needs[object_id] = own
        suffix = " (Maximum über alle Zielobjekte)" if object_id == verbund.id else ""
        high = [v for v in BASIC_VALUES if own[v] is not None and own[v] >= Level.HOCH]
        if high and object_id != verbund.id:
            risk[object_id] = (", ".join(f"{v.label} {own[v].label}" for v in high)
                               + ": dedizierte Risikobetrachtung bei hohem Schutzbedarf (Methodik GC.7.2, STM.4.1)")
        candidates: dict[str, list[str]] = {}
        for assignment in entry.assignments:
            ids = general if assignment.baustein == GENERAL else by_category.get(assignment.baustein, ())
            for cid in ids:
                candidates.setdefault(cid, [])
                if assignment.baustein != GENERAL:
                    candidates[cid].append(assignment.baustein)
        for cid in decided.get(object_id, {}):
            candidates.setdefault(cid, [])
        if object_id == verbund.id:
            for cid in relevance_open(modelling, catalog):
                candidates.setdefault(cid, [])
        for cid in sorted(candidates, key=order.__getitem__):
            control = catalog.controls[cid]
            matched = [c for c in control.target_categories if c in candidates[cid]]
            if matched:
                where = f"Zielobjekt-Kategorie {', '.join(matched)}"
            elif is_isms_control(cid):
                where = "Control ohne Zielobjekt-Kategorie (ISMS-Praktik), gilt für den Informationsverbund"
                if cid.startswith("RISK."):
                    where = "Control ohne Zielobjekt-Kategorie (Risikomanagement), gilt für den Informationsverbund"
            elif cid in decided.get(object_id, {}):
                where = f"Control ohne Zielobjekt-Kategorie, relevant (relevance.csv: {decided[object_id][cid]})"
            else:
                where = "Control ohne Zielobjekt-Kategorie"
            level = SEC_RAISED if control.sec_level == SEC_RAISED else (control.sec_level or SEC_NORMAL)
            letters = control_cia(control)

            def item(reason: str) -> SelectedRequirement:
                return SelectedRequirement(object_id, catalog.group_of(control), cid, level, control.title, letters,
                                           reason)

            if not matched and not is_isms_control(cid) and cid not in decided.get(object_id, {}):
                if not provisional_relevance:
                    undecided.append(item(f"{where}: {RELEVANCE_OPEN}"))
                    continue
                where += (", vorläufig dem Informationsverbund zugeordnet: Relevanzentscheidung offen "
                          "(Methodik STM.2.1.5)")
            if level != SEC_RAISED:
                selected.append(item(f"{level}, {where}"))
            else:
                decision = _raised_decision(letters, own, suffix)
                if decision is not None:
                    chosen, text = decision
                    (selected if chosen else undecided).append(
                        item(f"erhöht, {where}, {text}" if chosen else f"erhöht, {where}, offen: {text}"))
    chosen_ids = {r.requirement for r in selected} | {r.requirement for r in undecided}
    return GsppSelection(
        modelling, variant, tuple(selected), tuple(undecided), needs,
        effort_levels={cid: catalog.controls[cid].effort_level for cid in chosen_ids},
        modal_verbs={cid: catalog.controls[cid].modal_verb for cid in chosen_ids},
        risk_analysis=risk, catalog_title=catalog.title,
    )


def _raised_decision(
    letters: str, needs: Mapping[BasicValue, Level | None], suffix: str = ""
) -> tuple[bool, str] | None:
    """``(True, reason)`` to select an ``erhöht`` control, ``(False, why open)``, or ``None``."""
    values = [BasicValue.parse(letter) for letter in letters] if letters else list(BASIC_VALUES)
    high = [v for v in values if needs.get(v) is not None and needs[v] >= Level.HOCH]
    if high:
        parts = [f"{v.label} {needs[v].label}" + (" (zählt als hoch; Risikoanalyse)" if needs[v] is Level.SEHR_HOCH
                                                  else "") for v in high]
        return True, "Schutzbedarf " + ", ".join(parts) + suffix
    open_values = [v for v in values if needs.get(v) is None]
    if open_values:
        return False, ", ".join(f"{v.label} nicht bewertet" for v in open_values)
    return None


def gspp_not_selected_reason(selection: RequirementSelection, object_id: str, control_id: str,
                             catalog: GsppCatalog) -> str:
    """Why a control of ``catalog`` is not selected for an object (German)."""
    control = catalog.controls[control_id]
    modelling = selection.modelling
    categories = [a.baustein for a in modelling[object_id].assignments if a.baustein != GENERAL]
    if control.target_categories and not set(control.target_categories) & set(categories):
        return (f"Zielobjekt-Kategorien des Controls ({', '.join(control.target_categories)}) passen nicht zu "
                f"{object_id} ({', '.join(categories) or 'keine Kategorie'})")
    if not control.target_categories and is_isms_control(control_id) and not any(
            a.baustein == GENERAL for a in modelling[object_id].assignments):
        return "Control ohne Zielobjekt-Kategorie einer ISMS-Praktik, gilt nur für den Informationsverbund"
    if not control.target_categories and not is_isms_control(control_id):
        reasons = struck(modelling)
        if control_id in reasons:
            return f"Control ohne Zielobjekt-Kategorie, nicht relevant (relevance.csv: {reasons[control_id]})"
        if control_id in relevance_open(modelling, catalog):
            return f"Control ohne Zielobjekt-Kategorie: {RELEVANCE_OPEN}"
        return "Control ohne Zielobjekt-Kategorie, in relevance.csv nicht für dieses Zielobjekt als relevant entschieden"
    for item in selection.undecided:
        if item.object == object_id and item.requirement == control_id:
            return item.reason
    if selection.variant == "basis":
        return "erhöht-Control in Variante 'basis' nicht ausgewählt"
    needs = selection.needs.get(object_id, {})
    shown = ", ".join(f"{v.label} {needs[v].label}" for v in BASIC_VALUES if needs.get(v) is not None)
    return f"erhöht-Control nicht ausgewählt, Schutzbedarf {shown or 'nicht hoch'}"


# --------------------------------------------------------------------------- check


def gspp_requirement_check(selection: RequirementSelection, catalog: GsppCatalog) -> RequirementCheck:
    """The :data:`~grundschutz.method.check.RequirementCheck` of Grundschutz++: the control exists and is selected."""

    def check(control_id: str, object_id: str) -> str | None:
        if control_id not in catalog.controls:
            hint = (" (das ist eine Anforderung des Kompendiums 2023; Übertragung mit `grundschutz migrate`)"
                    if is_requirement_id(control_id) else "")
            return f"Control gibt es im Grundschutz++-Katalog nicht{hint}"
        if selection.get(object_id, control_id) is None:
            why = gspp_not_selected_reason(selection, object_id, control_id, catalog)
            return f"Control ist für {object_id} nicht ausgewählt ({why})"
        return None

    return check
