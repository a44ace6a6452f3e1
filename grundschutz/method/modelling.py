"""Modellierung (Baustein assignment) and requirement selection, Kompendium 2023.

1. :func:`read_modelling_rules`: the rules (``catalogs/modelling.yaml``), object
   type and tags -> Bausteine, as data, checked against the Kompendium.
2. :func:`model_assessment`: the rules applied to every object plus the implicit
   Informationsverbund ``IV``, then the hand changes of ``modelling.csv``
   (:func:`read_modelling_overrides`). Objects without a fitting Baustein are
   listed: they need a risk analysis (BSI 200-3).
3. :func:`select_requirements`: B and S of every assigned Baustein, H where the
   derived need is ``hoch`` or above in a basic value named by the requirement's
   CIA letters (Kreuzreferenztabellen); ENTFALLEN never (DESIGN.md section 2).

Grundschutz++ (Zielobjekt-Kategorien instead of Bausteine) lives in
:mod:`grundschutz.method.gspp`; :func:`model_assessment` and
:func:`select_requirements` dispatch there for ``edition: grundschutz++``.
The rule-file parsing both editions share (selectors, ids, line numbers) is
in :mod:`grundschutz.catalog.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from grundschutz.catalog import Kompendium
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem, UnknownObjectError
from grundschutz.io.inventory import Table, decode_text, parse_csv, read_workbook_tables
from grundschutz.model.assessment import BASIC_VALUES, Assessment, BasicValue, Level, ObjectType, TargetObject
from grundschutz.catalog.rules import (  # noqa: F401 - RulesError and the selectors are public here
    LINE,
    Bad,
    ObjectSelector,
    RuleBase,
    RuleSchema,
    RuleSetBase,
    RulesError,
    TagSelector,
    parse_rule_file,
    read_rule_file,
    unknown_targets,
)

#: Id of the implicit Informationsverbund object that carries the process Bausteine.
INFORMATIONSVERBUND_ID = "IV"
RULES_FILE = "modelling.yaml"
OVERRIDES_FILE = "modelling.csv"
#: The rule edition this module understands.
RULES_EDITION = "kompendium-2023"
VARIANTS = ("basis", "standard", "kern")
#: The tag that marks a crown jewel (Kronjuwel) for the variant ``kern``.
KRONJUWEL_TAG = "kronjuwel"
_ACTIONS = {"add": "add", "hinzufügen": "add", "hinzufuegen": "add", "remove": "remove", "entfernen": "remove"}


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class ModellingRule(RuleBase):
    """Objects matching ``selector`` get ``bausteine`` for ``reason`` (see ``modelling.yaml``).

    ``when_present``: apply only if some object of the assessment matches it.
    ``covered``: assign nothing, the object needs no own Bausteine.
    ``position``: 1-based index in the file; ``line``: where the rule starts.
    """

    id: str
    selector: ObjectSelector
    bausteine: tuple[str, ...]
    reason: str
    covered: bool = False
    when_present: ObjectSelector | None = None
    position: int = 0
    line: int | None = None


@dataclass(frozen=True)
class ModellingRules(RuleSetBase[ModellingRule]):
    """A validated rule set, in file order."""

    rules: tuple[ModellingRule, ...]
    edition: str = RULES_EDITION
    source: str = RULES_FILE

    @property
    def bausteine(self) -> frozenset[str]:
        """Every Baustein id some rule names."""
        return frozenset(b for rule in self.rules for b in rule.bausteine)


def read_modelling_rules(path: str | Path | None = None, kompendium: Kompendium | None = None) -> ModellingRules:
    """Read modelling rules from ``path`` (default: the installed ``modelling.yaml``).

    With ``kompendium`` every Baustein id is checked against it. Raises
    :class:`RulesError` listing every problem with the rule's line.
    """
    text, name = read_rule_file(path, RULES_FILE)
    return parse_modelling_rules(text, name, kompendium)


def parse_modelling_rules(text: str, file: str = RULES_FILE, kompendium: Kompendium | None = None) -> ModellingRules:
    """Parse and validate the YAML text of a rule file (pure).

    >>> parse_modelling_rules("rules:\\n  - id: x\\n    type: drucker\\n    bausteine: [SYS.4.1]\\n")
    Traceback (most recent call last):
    ...
    grundschutz.catalog.rules.RulesError: 1 Fehler in den Modellierungsregeln (modelling.yaml):
      modelling.yaml, Zeile 2, Spalte 'rules[1].reason': Regel 1 'x': Begründung fehlt
    """
    data, rules, problems = parse_rule_file(text, file, _SCHEMA)
    edition = str(data.get("edition", RULES_EDITION)).strip().lower()
    if edition != RULES_EDITION:
        problems.append(Problem(file, data.get(LINE), "edition", edition,
                                f"Regelsatz für '{edition}' wird nicht unterstützt (erwartet: {RULES_EDITION}); "
                                "Grundschutz++-Regeln (Zielobjekt-Kategorien) stehen in gspp_modelling.yaml"))
    result = ModellingRules(tuple(rules), edition, file)
    if kompendium is not None:
        problems.extend(_catalog_problems(result, kompendium))
    if problems:
        raise RulesError(problems, file)
    return result


def _bausteine(raw: Mapping, covered: bool, bad: Bad) -> dict[str, tuple[str, ...]]:
    """The key ``bausteine`` of a rule of ``modelling.yaml`` (``covered``: the rule's flag)."""
    bausteine: tuple[str, ...] = ()
    if "bausteine" in raw:
        value = raw["bausteine"]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad("bausteine", value, "muss eine Liste von Baustein-IDs sein")
        else:
            bausteine = tuple(dict.fromkeys(v.strip() for v in value))
            if covered:
                bad("covered", covered, "eine Regel nennt entweder Bausteine oder covered: true, nicht beides")
            elif not bausteine:
                bad("bausteine", value, "leere Liste (für 'keine eigenen Bausteine' covered: true angeben)")
    elif not covered:
        bad("bausteine", None, "Bausteine fehlen (bausteine: [...] oder covered: true)")
    return {"bausteine": bausteine}


_SCHEMA = RuleSchema(frozenset({"bausteine"}), _bausteine, ModellingRule)


def validate_modelling_rules(rules: ModellingRules, kompendium: Kompendium) -> None:
    """Raise :class:`RulesError` if a rule names a Baustein the Kompendium lacks."""
    problems = _catalog_problems(rules, kompendium)
    if problems:
        raise RulesError(problems, rules.source)


def _catalog_problems(rules: ModellingRules, kompendium: Kompendium) -> list[Problem]:
    return unknown_targets(rules, "bausteine", kompendium.bausteine, "Baustein gibt es im Kompendium nicht")


# --------------------------------------------------------------------------- modelling.csv


@dataclass(frozen=True)
class ModellingOverride:
    """One row of ``modelling.csv``: add or remove a Baustein by hand."""

    object: str
    baustein: str
    action: str  # "add" | "remove"
    reason: str = ""
    row: int | None = None
    file: str = OVERRIDES_FILE


def read_optional_table(assessment_dir: str | Path, name: str) -> Table | None:
    """The optional table ``name`` of an assessment: ``<name>.csv`` in the folder,
    else the sheet ``name`` of ``assessment.xlsx``; ``None`` if neither exists."""
    path = Path(assessment_dir)
    folder, workbook = (path.parent, path) if path.suffix.lower() == ".xlsx" else (path, path / "assessment.xlsx")
    csv_path = folder / f"{name}.csv"
    if csv_path.is_file() and path.suffix.lower() != ".xlsx":
        return parse_csv(decode_text(csv_path.read_bytes(), csv_path.name), csv_path.name)
    if workbook.is_file():
        return read_workbook_tables(workbook).get(name)
    return None


def read_modelling_overrides(
    assessment_dir: str | Path, assessment: Assessment, kompendium: Kompendium
) -> tuple[ModellingOverride, ...]:
    """Read ``modelling.csv`` (optional: absent means no hand changes).

    Raises :class:`AssessmentError` with every problem (file, row, column, value).
    """
    table = read_optional_table(assessment_dir, "modelling")
    if table is None:
        return ()
    return parse_modelling_overrides(table, assessment, kompendium, str(assessment_dir))


def parse_modelling_overrides(
    table: Table, assessment: Assessment, kompendium: Kompendium, source: str = ""
) -> tuple[ModellingOverride, ...]:
    """Check the rows of a ``modelling.csv`` table (pure); see :func:`read_modelling_overrides`."""
    file = table.file
    problems = [Problem(file, None, c, None, "Pflichtspalte fehlt") for c in ("object", "baustein", "action")
                if c not in table.columns]
    if not table.columns:
        problems = [Problem(file, None, None, None, "Datei ist leer (keine Kopfzeile)")]
    if problems:
        raise AssessmentError(problems, source)
    known = set(assessment.objects) | {INFORMATIONSVERBUND_ID}
    overrides: list[ModellingOverride] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in table.rows:
        found = len(problems)
        object_id, baustein, action_text, reason = row["object"], row["baustein"], row["action"], row.get("reason", "")

        def bad(column: str | None, value: str, message: str) -> None:
            problems.append(Problem(file, number, column, value, message))

        if "\0extra" in row:
            bad(None, row["\0extra"], "mehr Zellen als Spalten in der Kopfzeile")
        if not object_id or object_id not in known:
            bad("object", object_id, "unbekannte Objekt-ID" if object_id else "leere Objekt-ID")
        if not baustein:
            bad("baustein", "", "leere Baustein-ID")
        elif baustein not in kompendium.bausteine:
            hint = " (das ist eine Anforderung, kein Baustein)" if baustein in kompendium.requirements else ""
            bad("baustein", baustein, f"Baustein gibt es im Kompendium nicht{hint}")
        action = _ACTIONS.get(action_text.strip().lower())
        if action is None:
            bad("action", action_text, "unbekannte Aktion (erlaubt: add, remove bzw. hinzufügen, entfernen)")
        elif action == "remove" and not reason:
            bad("reason", "", "Entfernen eines Bausteins braucht eine Begründung")
        key = (object_id, baustein)
        if object_id and baustein and key in seen:
            bad("baustein", baustein, f"doppelte Zeile für {object_id}/{baustein} (bereits in Zeile {seen[key]})")
        elif object_id and baustein:
            seen[key] = number
        if len(problems) == found:
            overrides.append(ModellingOverride(object_id, baustein, action, reason, number, file))
    if problems:
        raise AssessmentError(problems, source)
    return tuple(overrides)


# --------------------------------------------------------------------------- Modellierung


@dataclass(frozen=True)
class Assignment:
    """A Baustein assigned to an object, by a rule or by hand (``modelling.csv``)."""

    baustein: str
    title: str
    reason: str
    rule: str = ""
    manual: bool = False
    row: int | None = None

    @property
    def source(self) -> str:
        """``"regel"`` or ``"hand"``."""
        return "hand" if self.manual else "regel"


@dataclass(frozen=True)
class Removal:
    """A Baustein a rule assigned and ``modelling.csv`` removed, with the reason."""

    baustein: str
    title: str
    reason: str
    rule: str
    row: int | None = None


@dataclass(frozen=True)
class ObjectModelling:
    """The Modellierung of one object.

    ``assignments`` are in Kompendium order. ``covered`` is the reason of a
    rule stating that the object needs no own Bausteine (e.g. processes).
    """

    object: TargetObject
    assignments: tuple[Assignment, ...]
    removals: tuple[Removal, ...] = ()
    covered: str = ""
    covered_rule: str = ""

    @property
    def bausteine(self) -> tuple[str, ...]:
        return tuple(a.baustein for a in self.assignments)

    @property
    def needs_risk_analysis(self) -> bool:
        """True when no Baustein fits and no rule says the object is covered."""
        return not self.assignments and not self.covered


@dataclass(frozen=True)
class Modelling:
    """Per object (Informationsverbund first) its Bausteine with reasons (:func:`model_assessment`)."""

    assessment: Assessment
    informationsverbund: TargetObject
    objects: Mapping[str, ObjectModelling]
    rules_source: str = RULES_FILE

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))

    def __getitem__(self, object_id: str) -> ObjectModelling:
        try:
            return self.objects[object_id]
        except KeyError:
            raise UnknownObjectError(f"Zielobjekt '{object_id}' gibt es in der Modellierung nicht") from None

    def __len__(self) -> int:
        return len(self.objects)

    def bausteine(self, object_id: str) -> tuple[str, ...]:
        """The Baustein ids assigned to an object."""
        return self[object_id].bausteine

    @property
    def modelled(self) -> tuple[str, ...]:
        """Ids of the objects with at least one Baustein."""
        return tuple(i for i, m in self.objects.items() if m.assignments)

    @property
    def covered(self) -> tuple[str, ...]:
        """Ids of objects without own Bausteine that a rule declares covered."""
        return tuple(i for i, m in self.objects.items() if not m.assignments and m.covered)

    @property
    def unmodelled(self) -> tuple[str, ...]:
        """Ids of objects with no fitting Baustein: they need a risk analysis."""
        return tuple(i for i, m in self.objects.items() if m.needs_risk_analysis)

    @property
    def without_bausteine(self) -> tuple[str, ...]:
        """Ids of every object without a Baustein (covered or unmodelled)."""
        return tuple(i for i, m in self.objects.items() if not m.assignments)


def informationsverbund_object(assessment: Assessment) -> TargetObject:
    """The assessment's object of type ``informationsverbund``, else an implicit ``IV``."""
    for obj in assessment.objects.values():
        if obj.type is ObjectType.INFORMATIONSVERBUND:
            return obj
    if INFORMATIONSVERBUND_ID in assessment.objects:
        raise GrundschutzError(
            f"Objekt-ID '{INFORMATIONSVERBUND_ID}' ist für den Informationsverbund reserviert, in der "
            f"Bewertung aber ein Objekt vom Typ {assessment.objects[INFORMATIONSVERBUND_ID].type.value}"
        )
    name = assessment.settings.name or "Informationsverbund"
    return TargetObject(INFORMATIONSVERBUND_ID, ObjectType.INFORMATIONSVERBUND, name,
                        "Implizites Zielobjekt für die Prozess-Bausteine (ISMS, ORP, CON, OPS, DER).")


def model_assessment(
    assessment: Assessment,
    kompendium: Kompendium,
    rules: ModellingRules | None = None,
    overrides: Iterable[ModellingOverride] = (),
) -> Modelling:
    """Assign Bausteine to every object of ``assessment`` and to the Informationsverbund.

    Every rule whose selector (and ``when_present`` condition) matches adds
    its Bausteine; the first rule naming a Baustein gives its reason. Then the
    ``overrides`` are applied in row order. Removing a Baustein that is not
    assigned, or adding one that a rule already assigns, is an error
    (:class:`AssessmentError` with the row). ``rules`` default to the
    installed ``modelling.yaml`` and are checked against ``kompendium``.
    ``edition: grundschutz++``: :func:`~grundschutz.method.gspp.model_gspp` (``kompendium`` = a GsppCatalog).
    """
    if assessment.settings.edition == "grundschutz++":  # Zielobjekt-Kategorien: pass a GsppCatalog as kompendium
        from grundschutz.method.gspp import model_gspp
        return model_gspp(assessment, kompendium, rules, overrides)
    rules = rules if rules is not None else read_modelling_rules()
    validate_modelling_rules(rules, kompendium)
    verbund = informationsverbund_object(assessment)
    objects = [verbund] + [o for o in assessment.objects.values() if o.id != verbund.id]
    active = [
        rule for rule in rules
        if rule.when_present is None or any(rule.when_present.matches(o) for o in assessment.objects.values())
    ]
    order = {bid: i for i, bid in enumerate(kompendium.bausteine)}
    assigned: dict[str, dict[str, Assignment]] = {}
    covered: dict[str, ModellingRule] = {}
    for obj in objects:
        current = assigned[obj.id] = {}
        for rule in active:
            if not rule.selector.matches(obj):
                continue
            if rule.covered:
                covered.setdefault(obj.id, rule)
            for baustein in rule.bausteine:
                if baustein not in current:
                    current[baustein] = Assignment(baustein, kompendium.bausteine[baustein].title, rule.reason, rule.id)
    removals: dict[str, list[Removal]] = {obj.id: [] for obj in objects}
    problems: list[Problem] = []
    for override in overrides:

        def bad(column: str, value: str, message: str) -> None:
            problems.append(Problem(override.file, override.row, column, value, message))

        if override.object not in assigned:
            bad("object", override.object, "unbekannte Objekt-ID")
            continue
        if override.baustein not in kompendium.bausteine:
            bad("baustein", override.baustein, "Baustein gibt es im Kompendium nicht")
            continue
        current = assigned[override.object]
        existing = current.get(override.baustein)
        if override.action == "add":
            if existing is not None:
                how = f"durch Regel '{existing.rule}'" if existing.rule else "von Hand"
                bad("baustein", override.baustein,
                    f"{override.baustein} ist {override.object} bereits {how} zugeordnet")
                continue
            current[override.baustein] = Assignment(
                override.baustein, kompendium.bausteine[override.baustein].title,
                override.reason or "von Hand hinzugefügt", "", True, override.row)
        elif existing is None or existing.manual:
            bad("baustein", override.baustein,
                f"{override.baustein} ist {override.object} durch keine Regel zugeordnet; Entfernen nicht möglich")
        else:
            del current[override.baustein]
            removals[override.object].append(
                Removal(override.baustein, existing.title, override.reason, existing.rule, override.row))
    if problems:
        raise AssessmentError(problems, assessment.source)
    result = {}
    for obj in objects:
        rule = covered.get(obj.id)
        result[obj.id] = ObjectModelling(
            obj,
            tuple(sorted(assigned[obj.id].values(), key=lambda a: order[a.baustein])),
            tuple(removals[obj.id]),
            rule.reason if rule else "",
            rule.id if rule else "",
        )
    return Modelling(assessment, verbund, result, rules.source)


# --------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class SelectedRequirement:
    """A requirement selected for an object and why; ``cia``: KRT letters in order C, I, A."""

    object: str
    baustein: str
    requirement: str
    level: str
    title: str
    cia: str
    reason: str


@dataclass(frozen=True)
class RequirementSelection:
    """The result of :func:`select_requirements`, in modelling order.

    ``undecided``: H requirements that cannot be decided because a basic value
    they name is unrated (open work, never guessed). ``needs``: the derived
    needs used per object, the Informationsverbund's being the maximum of all.
    """

    modelling: Modelling
    variant: str
    requirements: tuple[SelectedRequirement, ...]
    undecided: tuple[SelectedRequirement, ...] = ()
    needs: Mapping[str, Mapping[BasicValue, Level | None]] = field(default_factory=dict)
    _index: Mapping[tuple[str, str], SelectedRequirement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        frozen = {k: MappingProxyType(dict(v)) for k, v in self.needs.items()}
        object.__setattr__(self, "needs", MappingProxyType(frozen))
        object.__setattr__(self, "_index", {(r.object, r.requirement): r for r in self.requirements})

    def __iter__(self) -> Iterator[SelectedRequirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def get(self, object_id: str, requirement_id: str) -> SelectedRequirement | None:
        """The selected requirement of an object, ``None`` if not selected."""
        return self._index.get((object_id, requirement_id))

    def for_object(self, object_id: str) -> tuple[SelectedRequirement, ...]:
        self.modelling[object_id]
        return tuple(r for r in self.requirements if r.object == object_id)

    def count_by_level(self) -> dict[str, int]:
        """Number of selected requirements per level ``B``, ``S``, ``H``."""
        return {level: sum(r.level == level for r in self.requirements) for level in "BSH"}


def cia_letters(letters: Iterable[str]) -> str:
    """CIA letters in canonical order.

    >>> cia_letters({"A", "C"})
    'CA'
    """
    given = set(letters)
    return "".join(letter for letter in "CIA" if letter in given)


def informationsverbund_needs(propagation) -> dict[BasicValue, Level | None]:
    """The needs of the Informationsverbund: per basic value the maximum of all
    objects' derived needs (``None`` where every object is unrated)."""
    ids = propagation.assessment.objects
    return {v: max((x for i in ids if (x := propagation.level(i, v)) is not None), default=None) for v in BASIC_VALUES}


def select_requirements(
    modelling: Modelling, propagation, kompendium: Kompendium, variant: str | None = None
) -> RequirementSelection:
    """Select the requirements of every assigned Baustein (DESIGN.md section 2).

    - B: always; S: unless ``variant`` is ``basis``; ENTFALLEN: never.
    - H (variants ``standard`` and ``kern``): when the object's derived need
      is ``hoch`` or ``sehr hoch`` in at least one basic value named by the
      requirement's CIA letters (C = confidentiality, I = integrity,
      A = availability). If none of those is high but one is unrated, the
      requirement goes to ``undecided`` instead.
    - ``kern``: objects tagged ``kronjuwel`` get every H requirement of their
      Bausteine. Reading: BSI 200-2 Kern-Absicherung narrows the *scope* to the
      crown jewels; the scope is what the assessment folder contains, so
      objects that are not crown jewels keep the selection of ``standard``.
    - The Informationsverbund takes, per basic value, the maximum need of all objects.

    ``variant`` defaults to the assessment's setting. ``propagation`` is the
    :class:`~grundschutz.method.propagation.Propagation` of ``modelling.assessment``.
    The H selection needs the KRT letters (``apply_cross_reference``).
    ``edition: grundschutz++``: :func:`~grundschutz.method.gspp.select_gspp`.
    """
    if modelling.assessment.settings.edition == "grundschutz++":  # controls of the Zielobjekt-Kategorien
        from grundschutz.method.gspp import select_gspp
        return select_gspp(modelling, propagation, kompendium, variant)
    variant = (variant or modelling.assessment.settings.variant or "standard").strip().lower()
    if variant not in VARIANTS:
        raise GrundschutzError(f"unbekannte Variante '{variant}' (erlaubt: {', '.join(VARIANTS)})")
    if propagation.assessment.objects.keys() != modelling.assessment.objects.keys():
        raise GrundschutzError("Schutzbedarf und Modellierung gehören nicht zur selben Bewertung")
    if variant != "basis" and not kompendium.cross_reference_applied:
        raise GrundschutzError(
            "Für die Auswahl der H-Anforderungen werden die CIA-Buchstaben der Kreuzreferenztabellen (KRT) "
            "benötigt: Kompendium mit apply_cross_reference laden oder die Katalog-Installation prüfen."
        )
    verbund = modelling.informationsverbund
    verbund_needs = informationsverbund_needs(propagation)
    needs: dict[str, dict[BasicValue, Level | None]] = {}
    selected: list[SelectedRequirement] = []
    undecided: list[SelectedRequirement] = []
    for object_id, entry in modelling.objects.items():
        # the Informationsverbund (implicit or an object of the assessment) takes the maximum of all
        own = verbund_needs if object_id == verbund.id else {v: propagation.level(object_id, v) for v in BASIC_VALUES}
        needs[object_id] = own
        suffix = " (Maximum über alle Zielobjekte)" if object_id == verbund.id else ""
        jewel = variant == "kern" and entry.object.has_tag(KRONJUWEL_TAG)
        for assignment in entry.assignments:
            for req in kompendium.requirements_of(assignment.baustein, include_withdrawn=False):
                letters = cia_letters(req.cia)

                def item(reason: str) -> SelectedRequirement:
                    return SelectedRequirement(object_id, assignment.baustein, req.id, req.level, req.title,
                                               letters, reason)

                if req.level == "B":
                    selected.append(item(f"Basis-Anforderung von {assignment.baustein}"))
                elif req.level == "S":
                    if variant != "basis":
                        selected.append(item(f"Standard-Anforderung von {assignment.baustein}"))
                elif variant != "basis":
                    decision = _h_decision(letters, own, jewel, suffix)
                    if decision is not None:
                        chosen, text = decision
                        label = f"H-Anforderung (CIA: {letters or '-'})"
                        if chosen:
                            selected.append(item(f"{label}, {text}"))
                        else:
                            undecided.append(item(f"{label} offen: {text}"))
    return RequirementSelection(modelling, variant, tuple(selected), tuple(undecided), needs)


def _h_decision(
    letters: str, needs: Mapping[BasicValue, Level | None], jewel: bool, suffix: str = ""
) -> tuple[bool, str] | None:
    """``(True, reason)`` to select, ``(False, why open)`` if undecided, ``None`` if not selected."""
    values = [BasicValue.parse(letter) for letter in letters]
    high = [v for v in values if needs.get(v) is not None and needs[v] >= Level.HOCH]
    if high:
        return True, ", ".join(f"{v.label} {needs[v].label}" for v in high) + suffix
    if jewel:
        return True, "Kronjuwel (Kern-Absicherung: alle H-Anforderungen)"
    if not values:
        return False, "keine CIA-Buchstaben in der KRT"
    open_values = [v for v in values if needs.get(v) is None]
    if open_values:
        return False, ", ".join(f"{v.label} nicht bewertet" for v in open_values)
    return None
