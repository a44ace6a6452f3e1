"""Modellierung (Baustein assignment), Kompendium 2023.

:func:`model_assessment` applies the modelling rules (``catalogs/modelling.yaml``,
read and checked by :mod:`grundschutz.catalog.rules`) to every object plus
the implicit Informationsverbund ``IV``, then the hand changes of
``modelling.csv`` (:class:`~grundschutz.model.records.ModellingChange`).
Objects without a fitting Baustein are listed: they need a risk analysis
(BSI 200-3). The requirement selection that follows is
:mod:`grundschutz.method.selection`; Grundschutz++ (Zielobjekt-Kategorien
instead of Bausteine) is :mod:`grundschutz.method.gspp`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from grundschutz.catalog import Kompendium
from grundschutz.model import Assessment, TargetObject
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem, UnknownObjectError
from grundschutz.model.levels import ObjectType
from grundschutz.model.records import INFORMATIONSVERBUND_ID, ModellingChange
from grundschutz.model.rules import RULES_FILE, ModellingRule, ModellingRules

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
    rules: ModellingRules,
    changes: Iterable[ModellingChange] = (),
) -> Modelling:
    """Assign Bausteine to every object of ``assessment`` and to the Informationsverbund.

    Every rule whose selector (and ``when_present`` condition) matches adds
    its Bausteine; the first rule naming a Baustein gives its reason. Then the
    hand ``changes`` (``modelling.csv``) are applied in row order. A Baustein
    the Kompendium lacks, removing a Baustein that is not assigned, or adding
    one that a rule already assigns, is an error (:class:`AssessmentError`
    with file and row of every such change). ``rules`` must have been checked
    against ``kompendium`` (:meth:`Catalog.modelling_rules
    <grundschutz.catalog.loading.Catalog.modelling_rules>` does that).
    An assessment with ``edition: grundschutz++`` is refused: its Modellierung
    is :func:`~grundschutz.method.gspp.model_gspp`.
    """
    if assessment.settings.edition == "grundschutz++":
        raise GrundschutzError(
            "Die Bewertung ist auf Grundschutz++ eingestellt (edition: grundschutz++): die Modellierung nach "
            "Zielobjekt-Kategorien braucht den Grundschutz++-Katalog (model_gspp), nicht das Kompendium 2023."
        )
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
    for change in changes:

        def bad(column: str, value: str, message: str) -> None:
            problems.append(Problem(change.file, change.row, column, value, message))

        if change.object not in assigned:
            bad("object", change.object, "unbekannte Objekt-ID")
            continue
        if change.baustein not in kompendium.bausteine:
            hint = " (das ist eine Anforderung, kein Baustein)" if change.baustein in kompendium.requirements else ""
            bad("baustein", change.baustein, f"Baustein gibt es im Kompendium nicht{hint}")
            continue
        current = assigned[change.object]
        existing = current.get(change.baustein)
        if change.action == "add":
            if existing is not None:
                how = f"durch Regel '{existing.rule}'" if existing.rule else "von Hand"
                bad("baustein", change.baustein,
                    f"{change.baustein} ist {change.object} bereits {how} zugeordnet")
                continue
            current[change.baustein] = Assignment(
                change.baustein, kompendium.bausteine[change.baustein].title,
                change.reason or "von Hand hinzugefügt", "", True, change.row)
        elif existing is None or existing.manual:
            bad("baustein", change.baustein,
                f"{change.baustein} ist {change.object} durch keine Regel zugeordnet; Entfernen nicht möglich")
        else:
            del current[change.baustein]
            removals[change.object].append(
                Removal(change.baustein, existing.title, change.reason, existing.rule, change.row))
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
