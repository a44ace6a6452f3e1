"""Grundschutz++ mode: Modellierung by Zielobjekt-Kategorien and control selection.

The counterpart of :mod:`grundschutz.method.modelling` for assessments with
``edition: grundschutz++`` (DESIGN.md section 2):

1. :func:`gspp_catalog`: the controls in force. By default the Grundschutz++
   profile resolved against the installed source catalogs (Methodik, the
   profile's RISK controls and the Kernel standing in for the Kernel-G0
   catalog, which the pinned files lack: same controls, no G0 props); if the
   profile cannot be resolved, the BSI-resolved user catalog. Plus the
   Zielobjekt-Kategorien with their hierarchy (``target_object_categories.csv``).
2. :func:`read_gspp_rules`: the rules as data (``catalogs/gspp_modelling.yaml``),
   object type and tags -> Zielobjekt-Kategorien; every category must exist in
   the loaded catalogs.
3. :func:`model_gspp`: the categories of every object and of the implicit
   Informationsverbund. Parent categories are added: a control for
   ``IT-Systeme`` applies to a server modelled as ``Hostsysteme``.
4. :func:`select_gspp`: per object every control with at least one matching
   category; controls without category (Methodik, governance, the process
   side of the practices) go to objects whose rule says ``general`` (the
   Informationsverbund). ``normal-SdT`` always; ``erhöht`` where the derived
   need is ``hoch`` or above in a basic value the control addresses (all
   three, unless the control carries the G0 props C/I/A). Grundschutz++ knows
   only ``normal`` and ``hoch``: ``sehr hoch`` counts as ``hoch`` and flags a
   risk analysis (:attr:`GsppSelection.risk_analysis`).
5. :func:`read_gspp_check`: ``check.csv`` with control ids, validated in full.

The results keep the shapes of the Kompendium mode so that
:mod:`grundschutz.method.check` and the tables work unchanged: an
:class:`~grundschutz.method.modelling.Assignment`'s ``baustein`` is a category (or
:data:`GENERAL`); a :class:`~grundschutz.method.modelling.SelectedRequirement`'s
``requirement`` is the control id, ``baustein`` the control's innermost group
(e.g. ``ASST.2``), ``level`` its ``sec_level`` and ``cia`` the letters of the
G0 props (empty without them). ``effort_level`` (0-5) and the modal verb stay
available on :class:`GsppSelection` for the work plan.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from grundschutz.catalog import Catalog, Control, Group
from grundschutz.catalog._common import is_requirement_id
from grundschutz.catalog.loading import INSTALL_HINT
from grundschutz.catalog.sources import official_sources
from grundschutz.method.check import Check, build_check, parse_check_rows
from grundschutz.model.errors import AssessmentError, CatalogError, GrundschutzError, Problem
from grundschutz.io.inventory import Table, decode_text
from grundschutz.model.assessment import BASIC_VALUES, Assessment, BasicValue, Level
from grundschutz.method.modelling import (
    KRONJUWEL_TAG,
    VARIANTS,
    Assignment,
    Modelling,
    ModellingRules,
    ObjectModelling,
    ObjectSelector,
    RequirementSelection,
    RulesError,
    SelectedRequirement,
    informationsverbund_needs,
    informationsverbund_object,
    read_optional_table,
)
from grundschutz.catalog.rules import (
    LINE,
    Bad,
    RuleBase,
    RuleSchema,
    RuleSetBase,
    as_list,
    parse_flag,
    parse_rule_file,
    read_rule_file,
    unknown_targets,
)

GSPP_EDITION = "grundschutz++"
GSPP_RULES_FILE = "gspp_modelling.yaml"
#: Pseudo-category of the controls that name no Zielobjekt-Kategorie.
GENERAL = "(allgemein)"
GENERAL_TITLE = "Controls ohne Zielobjekt-Kategorie (Methodik, Governance, Prozesse, Organisation)"
SEC_NORMAL = "normal-SdT"
SEC_RAISED = "erhöht"
SEC_LEVELS = (SEC_NORMAL, SEC_RAISED)
#: Where the controls come from: ``auto`` (profile, else user catalog), ``profile``, ``user-catalog``.
CONTROL_SOURCES = ("auto", "profile", "user-catalog")
_CATEGORIES_KEY = "target-object-categories"
_USER_CATALOG_KEY = "gspp-user-catalog"
_PROFILE_KEY = "gspp-profile"
_OVERRIDES_REFUSED = (
    "modelling.csv ordnet Bausteine des Kompendiums zu und gilt nicht für Grundschutz++ (die "
    "Zielobjekt-Kategorien kommen aus gspp_modelling.yaml): Datei entfernen oder 'edition: kompendium-2023' setzen."
)


# --------------------------------------------------------------------------- catalog


@dataclass(frozen=True)
class Category:
    """A Zielobjekt-Kategorie of the BSI vocabulary; ``parent`` is its parent category."""

    name: str
    definition: str = ""
    type: str = ""
    kind: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class GsppCatalog:
    """The Grundschutz++ controls in force and the Zielobjekt-Kategorien.

    ``controls`` in catalog order (nested controls included), ``groups`` of
    the catalogs they come from, ``categories`` by name (the BSI vocabulary
    plus any category a control names). ``source`` says in German where the
    controls come from, ``notes`` any substitution made while resolving.
    """

    title: str
    version: str | None
    source: str
    controls: Mapping[str, Control]
    groups: Mapping[str, Group]
    categories: Mapping[str, Category]
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("controls", "groups", "categories"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __len__(self) -> int:
        return len(self.controls)

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The parent categories of ``name``, nearest first."""
        result: list[str] = []
        current = self.categories.get(name)
        while current is not None and current.parent and current.parent not in result and current.parent != name:
            result.append(current.parent)
            current = self.categories.get(current.parent)
        return tuple(result)

    def path(self, name: str) -> str:
        """``IT-Systeme > Hostsysteme``: the category below its ancestors."""
        return " > ".join([*reversed(self.ancestors(name)), name])

    @staticmethod
    def group_of(control: Control) -> str:
        """The innermost group of a control (``ASST.2``), ``""`` if none."""
        return control.group_path[-1] if control.group_path else ""


def control_cia(control: Control) -> str:
    """The basic values a control addresses by its G0 props (value 1 or 2), as letters.

    Empty when the control carries no G0 props (the Kernel and the user catalog).
    """
    values = (("C", control.confidentiality), ("I", control.integrity), ("A", control.availability))
    return "".join(letter for letter, value in values if value)


def gspp_catalog(catalog: Catalog, source: str = "auto") -> GsppCatalog:
    """The Grundschutz++ controls and categories of an installed catalog directory.

    ``source="profile"`` resolves the Grundschutz++ profile against the source
    catalogs (a ``-G0-`` catalog that is not installed is replaced by the
    plain one, noted in :attr:`GsppCatalog.notes`); ``"user-catalog"`` takes
    the BSI-resolved user catalog; ``"auto"`` tries the profile first.
    Raises :class:`CatalogError` with the install hint if the files are missing.
    """
    if source not in CONTROL_SOURCES:
        raise GrundschutzError(f"unbekannte Quelle '{source}' (erlaubt: {', '.join(CONTROL_SOURCES)})")
    vocabulary = _read_categories(catalog)
    resolved = _resolve_profile(catalog, strict=source == "profile") if source != "user-catalog" else None
    if resolved is None:
        if not catalog.has(_USER_CATALOG_KEY):
            raise CatalogError(
                f"Grundschutz++-Katalog nicht installiert: in {catalog.directory} fehlen das Profil mit seinen "
                f"Quellkatalogen und der Anwenderkatalog ({official_sources()[_USER_CATALOG_KEY].path}). {INSTALL_HINT}"
            )
        user = catalog.oscal_catalog(_USER_CATALOG_KEY)
        resolved = (user.title, user.version, f"Anwenderkatalog '{user.title}' ({(user.version or '')[:10]})",
                    dict(user.controls), dict(user.groups), ())
    title, version, text, controls, groups, notes = resolved
    categories = dict(vocabulary)
    for control in controls.values():
        for name in control.target_categories:
            categories.setdefault(name, Category(name))
    return GsppCatalog(title, version, text, controls, groups, categories, notes)


def _read_categories(catalog: Catalog) -> dict[str, Category]:
    path = catalog.path(_CATEGORIES_KEY)  # CatalogError with the install hint if absent
    try:
        text = decode_text(path.read_bytes(), path.name)
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
        by_uuid = {row["UUID"].strip(): row["Zielobjekt"].strip() for row in rows}
        return {
            row["Zielobjekt"].strip(): Category(
                row["Zielobjekt"].strip(), " ".join(row.get("Definition", "").split()), row.get("Typ", "").strip(),
                row.get("Kategorie", "").strip(), by_uuid.get(row.get("ChildOfUUID", "").strip()) or None)
            for row in rows if row.get("Zielobjekt", "").strip()
        }
    except (OSError, KeyError, csv.Error, AssessmentError) as exc:
        raise CatalogError(f"{path}: Verzeichnis der Zielobjekt-Kategorien nicht lesbar ({exc})") from None


def _catalog_key(href: str) -> tuple[str | None, bool]:
    """The source key of a profile import's file and whether it is a stand-in for a G0 catalog."""
    name = PurePosixPath(href).name
    candidates = {s.name: key for key, s in official_sources().items() if s.format == "oscal-catalog"}
    if name in candidates:
        return candidates[name], False
    plain = name.replace("-G0-", "-")
    return (candidates[plain], True) if plain != name and plain in candidates else (None, False)


def _resolve_profile(catalog: Catalog, strict: bool):
    """(title, version, source text, controls, groups, notes) of the resolved profile, ``None`` if not possible."""
    if not catalog.has(_PROFILE_KEY):
        if strict:
            catalog.path(_PROFILE_KEY)  # raises "nicht installiert"
        return None
    profile = catalog.oscal_profile(_PROFILE_KEY)
    controls: dict[str, Control] = {}
    groups: dict[str, Group] = {}
    notes: list[str] = []
    used: list[str] = []
    for item in profile.imports:
        href = item.resource_href or item.href
        key, stand_in = _catalog_key(href)
        if key is None or not catalog.has(key):
            if strict:
                raise CatalogError(f"Profil '{profile.title}': importierter Katalog {href} ist nicht installiert. "
                                   f"{INSTALL_HINT}")
            return None
        source = catalog.oscal_catalog(key)
        used.append(source.title)
        if stand_in:
            notes.append(f"{PurePosixPath(href).name} ist nicht veröffentlicht; ersetzt durch '{source.title}' "
                         "(gleiche Controls, ohne G0-Eigenschaften C/I/A und Gefährdungen)")
        if item.include_all:
            chosen = list(source.controls.values())
        else:
            absent = [cid for cid in item.include_ids if cid not in source.controls]
            if absent:
                raise CatalogError(f"Profil '{profile.title}': Controls {', '.join(absent)} fehlen in '{source.title}'")
            chosen = [source.controls[cid] for cid in item.include_ids]
            if item.with_child_controls == "yes":
                chosen = [c for c in source.controls.values()
                          if c.id in item.include_ids or any(p in item.include_ids for p in _parents(source, c))]
        for control in chosen:
            if control.id not in item.exclude_ids:
                controls.setdefault(control.id, control)
        groups.update(source.groups)
    text = f"Profil '{profile.title}' ({(profile.version or '')[:10]}), aufgelöst mit {', '.join(used)}"
    return profile.title, profile.version, text, controls, groups, tuple(notes)


def _parents(source, control: Control) -> Iterator[str]:
    parent = control.parent_id
    while parent is not None:
        yield parent
        parent = source.controls[parent].parent_id if parent in source.controls else None


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class CategoryRule(RuleBase):
    """Objects matching ``selector`` get ``categories`` (and with ``general`` the
    controls without category) for ``reason``; see ``gspp_modelling.yaml``."""

    id: str
    selector: ObjectSelector
    categories: tuple[str, ...]
    reason: str
    general: bool = False
    covered: bool = False
    when_present: ObjectSelector | None = None
    position: int = 0
    line: int | None = None


@dataclass(frozen=True)
class GsppRules(RuleSetBase[CategoryRule]):
    """A validated Grundschutz++ rule set, in file order."""

    rules: tuple[CategoryRule, ...]
    source: str = GSPP_RULES_FILE

    @property
    def categories(self) -> frozenset[str]:
        """Every category some rule names."""
        return frozenset(c for rule in self.rules for c in rule.categories)


def read_gspp_rules(path: str | Path | None = None, catalog: GsppCatalog | None = None) -> GsppRules:
    """Read the rules from ``path`` (default: the installed ``gspp_modelling.yaml``).

    With ``catalog`` every category is checked against it. Raises
    :class:`~grundschutz.catalog.rules.RulesError` listing every problem with its line.
    """
    text, name = read_rule_file(path, GSPP_RULES_FILE)
    return parse_gspp_rules(text, name, catalog)


def parse_gspp_rules(text: str, file: str = GSPP_RULES_FILE, catalog: GsppCatalog | None = None) -> GsppRules:
    """Parse and validate the YAML text of a Grundschutz++ rule file (pure).

    >>> parse_gspp_rules("edition: grundschutz++\\nrules:\\n  - id: x\\n    type: server\\n    reason: r\\n")
    Traceback (most recent call last):
    ...
    grundschutz.catalog.rules.RulesError: 1 Fehler in den Modellierungsregeln (gspp_modelling.yaml):
      gspp_modelling.yaml, Zeile 3, Spalte 'rules[1].categories': Regel 1 'x': Kategorien fehlen \
(categories: [...], general: true oder covered: true)
    """
    data, rules, problems = parse_rule_file(text, file, _SCHEMA)
    edition = str(data.get("edition", "")).strip().lower()
    if edition != GSPP_EDITION:
        problems.append(Problem(file, data.get(LINE), "edition", edition or None,
                                f"Regelsatz für Grundschutz++ erwartet (edition: {GSPP_EDITION}); "
                                "Regeln für das Kompendium stehen in modelling.yaml"))
    result = GsppRules(tuple(rules), file)
    if catalog is not None:
        problems.extend(_catalog_problems(result, catalog))
    if problems:
        raise RulesError(problems, file)
    return result


def _categories(raw: Mapping, covered: bool, bad: Bad) -> dict[str, object]:
    """The keys ``categories`` and ``general`` of a rule of ``gspp_modelling.yaml`` (``covered``: the rule's flag)."""
    general = parse_flag(raw, "general", bad)
    categories: tuple[str, ...] = ()
    if "categories" in raw:
        value = as_list(raw["categories"])
        if not value or not all(isinstance(v, str) and v.strip() for v in value):
            bad("categories", raw["categories"], "muss eine nicht leere Liste von Zielobjekt-Kategorien sein")
        else:
            categories = tuple(dict.fromkeys(" ".join(v.split()) for v in value))
    if covered and (categories or general):
        bad("covered", True, "eine Regel nennt entweder Kategorien (oder general) oder covered: true, nicht beides")
    elif not (categories or general or covered) and "categories" not in raw:
        bad("categories", None, "Kategorien fehlen (categories: [...], general: true oder covered: true)")
    return {"categories": categories, "general": general}


_SCHEMA = RuleSchema(frozenset({"categories", "general"}), _categories, CategoryRule)


def validate_gspp_rules(rules: GsppRules, catalog: GsppCatalog) -> None:
    """Raise :class:`RulesError` if a rule names a category the catalogs lack."""
    problems = _catalog_problems(rules, catalog)
    if problems:
        raise RulesError(problems, rules.source)


def _catalog_problems(rules: GsppRules, catalog: GsppCatalog) -> list[Problem]:
    return unknown_targets(rules, "categories", catalog.categories,
                           "Zielobjekt-Kategorie gibt es in den Grundschutz++-Katalogen nicht")


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


def model_gspp(
    assessment: Assessment, catalog: GsppCatalog, rules: GsppRules | None = None, overrides: Iterable = ()
) -> GsppModelling:
    """Assign Zielobjekt-Kategorien to every object and to the Informationsverbund.

    Every matching rule (whose ``when_present`` holds) adds its categories;
    the first rule naming a category gives its reason; then the parent
    categories follow. Hand changes (``modelling.csv``) name Bausteine of the
    Kompendium and are refused here. ``rules`` default to the installed
    ``gspp_modelling.yaml`` and are checked against ``catalog``.
    """
    if not isinstance(catalog, GsppCatalog):
        raise GrundschutzError(
            "Die Bewertung ist auf Grundschutz++ eingestellt (edition: grundschutz++): die Modellierung nach "
            "Zielobjekt-Kategorien braucht den Grundschutz++-Katalog, gspp_catalog(load_catalog(DIR)), "
            "nicht das Kompendium 2023."
        )
    if isinstance(rules, ModellingRules):
        raise GrundschutzError("Für Grundschutz++ gelten die Regeln aus gspp_modelling.yaml, nicht modelling.yaml.")
    if tuple(overrides):
        raise GrundschutzError(_OVERRIDES_REFUSED)
    rules = rules if rules is not None else read_gspp_rules()
    validate_gspp_rules(rules, catalog)
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
    ``risk_analysis``: objects whose derived need is ``sehr hoch`` in some
    basic value, with the reason (Grundschutz++ treats it as ``hoch``); the
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
    modelling: GsppModelling, propagation, catalog: GsppCatalog | None = None, variant: str | None = None
) -> GsppSelection:
    """Select the Grundschutz++ controls of every object (see the module docstring).

    Variants: ``standard`` (``erhöht`` by need), ``basis`` (``normal-SdT``
    only), ``kern`` (objects tagged ``kronjuwel`` get every ``erhöht``
    control of their categories). An ``erhöht`` control whose basic values are
    not high but partly unrated goes to ``undecided``. A ``sec_level`` other
    than ``erhöht`` (``normal-SdT``, or missing) is selected always. The
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
    if propagation.assessment.objects.keys() != modelling.assessment.objects.keys():
        raise GrundschutzError("Schutzbedarf und Modellierung gehören nicht zur selben Bewertung")
    order = {cid: i for i, cid in enumerate(catalog.controls)}
    by_category: dict[str, list[str]] = {}
    general: list[str] = []
    for control in catalog.controls.values():
        for name in control.target_categories:
            by_category.setdefault(name, []).append(control.id)
        if not control.target_categories:
            general.append(control.id)
    verbund = modelling.informationsverbund
    verbund_needs = informationsverbund_needs(propagation)
    needs, selected, undecided, risk = {}, [], [], {}
    for object_id, entry in modelling.objects.items():
        own = verbund_needs if object_id == verbund.id else {v: propagation.level(object_id, v) for v in BASIC_VALUES}
        needs[object_id] = own
        suffix = " (Maximum über alle Zielobjekte)" if object_id == verbund.id else ""
        jewel = variant == "kern" and entry.object.has_tag(KRONJUWEL_TAG)
        very_high = [v for v in BASIC_VALUES if own[v] is Level.SEHR_HOCH]
        if very_high and object_id != verbund.id:
            risk[object_id] = (", ".join(f"{v.label} sehr hoch" for v in very_high)
                               + ": in Grundschutz++ als hoch behandelt, Risikoanalyse nach BSI-Standard 200-3 nötig")
        candidates: dict[str, list[str]] = {}
        for assignment in entry.assignments:
            ids = general if assignment.baustein == GENERAL else by_category.get(assignment.baustein, ())
            for cid in ids:
                candidates.setdefault(cid, [])
                if assignment.baustein != GENERAL:
                    candidates[cid].append(assignment.baustein)
        for cid in sorted(candidates, key=order.__getitem__):
            control = catalog.controls[cid]
            matched = [c for c in control.target_categories if c in candidates[cid]]
            where = (f"Zielobjekt-Kategorie {', '.join(matched)}" if matched
                     else "Control ohne Zielobjekt-Kategorie, gilt für den Informationsverbund")
            level = SEC_RAISED if control.sec_level == SEC_RAISED else (control.sec_level or SEC_NORMAL)
            letters = control_cia(control)

            def item(reason: str) -> SelectedRequirement:
                return SelectedRequirement(object_id, catalog.group_of(control), cid, level, control.title, letters,
                                           reason)

            if level != SEC_RAISED:
                selected.append(item(f"{level}, {where}"))
            elif variant != "basis":
                decision = _raised_decision(letters, own, jewel, suffix)
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
    letters: str, needs: Mapping[BasicValue, Level | None], jewel: bool, suffix: str = ""
) -> tuple[bool, str] | None:
    """``(True, reason)`` to select an ``erhöht`` control, ``(False, why open)``, or ``None``."""
    values = [BasicValue.parse(letter) for letter in letters] if letters else list(BASIC_VALUES)
    high = [v for v in values if needs.get(v) is not None and needs[v] >= Level.HOCH]
    if high:
        parts = [f"{v.label} {needs[v].label}" + (" (zählt als hoch; Risikoanalyse)" if needs[v] is Level.SEHR_HOCH
                                                  else "") for v in high]
        return True, "Schutzbedarf " + ", ".join(parts) + suffix
    if jewel:
        return True, "Kronjuwel (Kern-Absicherung: alle erhöht-Controls)"
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
    if not control.target_categories and not any(a.baustein == GENERAL for a in modelling[object_id].assignments):
        return "Control ohne Zielobjekt-Kategorie, gilt nur für den Informationsverbund"
    for item in selection.undecided:
        if item.object == object_id and item.requirement == control_id:
            return item.reason
    if selection.variant == "basis":
        return "erhöht-Control in Variante 'basis' nicht ausgewählt"
    needs = selection.needs.get(object_id, {})
    shown = ", ".join(f"{v.label} {needs[v].label}" for v in BASIC_VALUES if needs.get(v) is not None)
    return f"erhöht-Control nicht ausgewählt, Schutzbedarf {shown or 'nicht hoch'}"


# --------------------------------------------------------------------------- check


def read_gspp_check(assessment_dir: str | Path, selection: RequirementSelection, catalog: GsppCatalog) -> Check:
    """Read ``check.csv`` of a Grundschutz++ assessment (optional; absent = all ``unbearbeitet``).

    Same columns and statuses as in the Kompendium mode, the ``requirement``
    column holds control ids. Raises :class:`AssessmentError` with every problem.
    """
    table = read_optional_table(assessment_dir, "check")
    if table is None:
        return build_check(selection, {}, str(assessment_dir))
    return parse_gspp_check(table, selection, catalog, str(assessment_dir))


def parse_gspp_check(table: Table, selection: RequirementSelection, catalog: GsppCatalog, source: str = "") -> Check:
    """Check the rows of a Grundschutz++ ``check.csv`` against a selection (pure)."""

    def control(cell: str, object_id: str | None) -> tuple[str, str, str | None]:
        control_id = cell.strip()
        if not control_id:
            return control_id, control_id, "leere Control-ID"
        if control_id not in catalog.controls:
            hint = (" (das ist eine Anforderung des Kompendiums 2023; Übertragung mit `grundschutz migrate`)"
                    if is_requirement_id(control_id) else "")
            return control_id, control_id, f"Control gibt es im Grundschutz++-Katalog nicht{hint}"
        if object_id is not None and selection.get(object_id, control_id) is None:
            why = gspp_not_selected_reason(selection, object_id, control_id, catalog)
            return control_id, control_id, f"Control ist für {object_id} nicht ausgewählt ({why})"
        return control_id, control_id, None

    return parse_check_rows(table, selection, control, source)


# --------------------------------------------------------------------------- the whole step


def analyse_gspp(
    assessment_dir: str | Path, assessment: Assessment, propagation, catalog: Catalog, variant: str | None = None
) -> tuple[GsppModelling, GsppSelection, Check]:
    """Modellierung, control selection and check of a Grundschutz++ assessment.

    The step :func:`grundschutz.method.analysis.analyse` runs for ``edition: grundschutz++``.
    """
    controls = gspp_catalog(catalog)
    if read_optional_table(assessment_dir, "modelling") is not None:
        raise GrundschutzError(_OVERRIDES_REFUSED)
    modelling = model_gspp(assessment, controls)
    selection = select_gspp(modelling, propagation, controls, variant)
    return modelling, selection, read_gspp_check(assessment_dir, selection, controls)
