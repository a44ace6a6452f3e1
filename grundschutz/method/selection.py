"""Requirement selection, Kompendium 2023: which Anforderungen follow from the Modellierung and the Schutzbedarf.

:func:`select_requirements`: B and S of every assigned Baustein, H where the
derived need is ``hoch`` or above in a basic value named by the requirement's
CIA letters (Kreuzreferenztabellen); ENTFALLEN never (``docs/method.md``,
"Requirement selection").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.catalog import Kompendium
from grundschutz.method.modelling import Modelling
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Level

VARIANTS = ("basis", "standard", "kern")
#: The tag that marks a crown jewel (Kronjuwel) for the variant ``kern``.
KRONJUWEL_TAG = "kronjuwel"


@dataclass(frozen=True, slots=True)
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
    _index: Mapping[tuple[str, str], SelectedRequirement] | None = field(init=False, repr=False, compare=False,
                                                                         default=None)

    def __post_init__(self) -> None:
        frozen = {k: MappingProxyType(dict(v)) for k, v in self.needs.items()}
        object.__setattr__(self, "needs", MappingProxyType(frozen))

    def __iter__(self) -> Iterator[SelectedRequirement]:
        return iter(self.requirements)

    def __len__(self) -> int:
        return len(self.requirements)

    def get(self, object_id: str, requirement_id: str) -> SelectedRequirement | None:
        """The selected requirement of an object, ``None`` if not selected."""
        if self._index is None:  # built on first use: a large selection is often only iterated
            object.__setattr__(self, "_index", {(r.object, r.requirement): r for r in self.requirements})
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
    """Select the requirements of every assigned Baustein (``docs/method.md``, "Requirement selection").

    - B: always; S: unless ``variant`` is ``basis``; ENTFALLEN: never.
    - H (variants ``standard`` and ``kern``): when the object's derived need
      is ``hoch`` or ``sehr hoch`` in at least one basic value named by the
      requirement's CIA letters (C = confidentiality, I = integrity,
      A = availability). If none of those is high but one is unrated, the
      requirement goes to ``undecided`` instead.
    - ``kern`` (BSI 200-2, chapter 7, Kern-Absicherung): the selection of
      ``standard``, H requirements by need like every object; the crown
      jewels (tag ``kronjuwel``) get a risk analysis in addition
      (:mod:`grundschutz.method.risk_flags`), not every H requirement
      regardless of need. The Kern-Absicherung narrows the *scope* to the
      crown jewels; the scope is what the assessment folder contains.
    - The Informationsverbund takes, per basic value, the maximum need of all objects.

    ``variant`` defaults to the assessment's setting. ``propagation`` is the
    :class:`~grundschutz.method.propagation.Propagation` of ``modelling.assessment``.
    The H selection needs the KRT letters (``apply_cross_reference``).
    For ``edition: grundschutz++`` see :func:`~grundschutz.method.gspp.select_gspp`.
    """
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
    texts: dict[str, str] = {}  # equal reasons share one string (a large selection repeats them)
    for object_id, entry in modelling.objects.items():
        # the Informationsverbund (implicit or an object of the assessment) takes the maximum of all
        own = verbund_needs if object_id == verbund.id else {v: propagation.level(object_id, v) for v in BASIC_VALUES}
        needs[object_id] = own
        suffix = " (Maximum über alle Zielobjekte)" if object_id == verbund.id else ""
        for assignment in entry.assignments:
            for req in kompendium.requirements_of(assignment.baustein, include_withdrawn=False):
                letters = cia_letters(req.cia)

                def item(reason: str) -> SelectedRequirement:
                    return SelectedRequirement(object_id, assignment.baustein, req.id, req.level, req.title,
                                               letters, texts.setdefault(reason, reason))

                if req.level == "B":
                    selected.append(item(f"Basis-Anforderung von {assignment.baustein}"))
                elif req.level == "S":
                    if variant != "basis":
                        selected.append(item(f"Standard-Anforderung von {assignment.baustein}"))
                elif variant != "basis":
                    decision = _h_decision(letters, own, suffix)
                    if decision is not None:
                        chosen, text = decision
                        label = f"H-Anforderung (CIA: {letters or '-'})"
                        if chosen:
                            selected.append(item(f"{label}, {text}"))
                        else:
                            undecided.append(item(f"{label} offen: {text}"))
    return RequirementSelection(modelling, variant, tuple(selected), tuple(undecided), needs)


def _h_decision(
    letters: str, needs: Mapping[BasicValue, Level | None], suffix: str = ""
) -> tuple[bool, str] | None:
    """``(True, reason)`` to select, ``(False, why open)`` if undecided, ``None`` if not selected."""
    values = [BasicValue.parse(letter) for letter in letters]
    high = [v for v in values if needs.get(v) is not None and needs[v] >= Level.HOCH]
    if high:
        return True, ", ".join(f"{v.label} {needs[v].label}" for v in high) + suffix
    if not values:
        return False, "keine CIA-Buchstaben in der KRT"
    open_values = [v for v in values if needs.get(v) is None]
    if open_values:
        return False, ", ".join(f"{v.label} nicht bewertet" for v in open_values)
    return None
