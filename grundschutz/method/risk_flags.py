"""Which objects need a risk analysis, and why (``docs/method.md``, "Risikoanalyse").

Kompendium 2023 (BSI 200-2, 8.5; 200-3):

- ``sehr hoch`` in any basic value: always;
- ``hoch`` in any basic value;
- no fitting Baustein (``modelling.unmodelled``);
- tagged as used atypically: the tag ``atypisch`` in ``objects.csv``, plain
  or with the reason as value, e.g. ``atypisch=Server steht beim
  Hersteller`` (BSI 200-2: "in Einsatzszenarien betrieben, die im
  IT-Grundschutz nicht vorgesehen sind"). Key case does not matter;
- variant ``kern``: every object tagged ``kronjuwel`` (BSI 200-2, chapter 7,
  Kern-Absicherung: the crown jewels get a risk analysis).

Grundschutz++ (Methodik GC.7.2 and the triggers of STM.4.1):

- high need (``hoch``; ``sehr hoch`` counts as ``hoch``), business processes
  included: GC.7.2 asks for a dedicated risk consideration of "Geschäftsprozesse
  oder Informationen mit hohem Schutzbedarf";
- the security level lowered from ``erhöht`` to ``normal-SdT``: an override
  that takes a computed ``hoch`` below ``hoch``, or an ``erhöht`` control the
  check declares ``entbehrlich`` for an object that needs it;
- requirements not implemented: controls with check status ``nein``;
- assets without matching requirements: no Zielobjekt-Kategorie, or
  categories without a control;
- tag ``atypisch`` as in the Kompendium mode.

Business processes, which a modelling rule declares *covered* by the
Bausteine of the Informationsverbund and of what they use, are not flagged
for their need in the Kompendium mode: the need flows to the applications and
systems they use, which are flagged in their place. Every other covered
object (a network of the Gesamtnetz covered by NET.1.1, a data exchange
covered by CON.9) is flagged for a high need like any Zielobjekt: BSI 200-2,
8.5 and 200-3 name high need, no fitting Baustein and atypical use as three
separate triggers, and being covered answers only the second. The
Informationsverbund ``IV`` is never flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.method.selection import KRONJUWEL_TAG
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Level, ObjectType
from grundschutz.model.records import Status

#: The tag that marks an object used atypically.
ATYPICAL_TAG = "atypisch"
#: Kinds of :class:`FlagReason`, in the order they are reported.
FLAG_KINDS = ("sehr hoch", "ohne Baustein", "atypisch", "hoch", "kronjuwel", "herabgestuft", "nicht umgesetzt",
              "freiwillig")
#: Kinds for which the Kompendium's requirements cannot stand in for the analysis.
PRESSING_KINDS = frozenset({"sehr hoch", "ohne Baustein", "atypisch"})
_SHOWN = 5


@dataclass(frozen=True)
class FlagReason:
    """Why an object needs a risk analysis; ``kind`` is one of :data:`FLAG_KINDS`."""

    kind: str
    text: str


@dataclass(frozen=True)
class FlaggedObject:
    """An object that needs (or voluntarily gets) a risk analysis; ``needs``: its derived needs."""

    object: str
    name: str
    type: str
    reasons: tuple[FlagReason, ...]
    needs: Mapping[BasicValue, Level | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", MappingProxyType(dict(self.needs)))

    @property
    def highest(self) -> Level | None:
        """The highest derived need (``None`` if all unrated)."""
        return max((v for v in self.needs.values() if v is not None), default=None)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(r.kind for r in self.reasons)

    @property
    def pressing(self) -> bool:
        """``sehr hoch``, no Baustein or atypical: no requirement of the Kompendium stands in for it."""
        return any(k in PRESSING_KINDS for k in self.kinds)

    @property
    def without_baustein(self) -> bool:
        """No fitting Baustein (Grundschutz++: no matching requirement): the overview starts from all 47
        elementary threats."""
        return "ohne Baustein" in self.kinds

    @property
    def why(self) -> str:
        """The reasons as one German sentence."""
        return "; ".join(r.text for r in self.reasons)


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:_SHOWN]) + (f" … (+{len(ids) - _SHOWN})" if len(ids) > _SHOWN else "")


def flag_reasons(analysis, object_id: str, checked: Mapping[str, list] | None = None) -> tuple[FlagReason, ...]:
    """The reasons why ``object_id`` needs a risk analysis (empty: it needs none).

    ``checked``: the check entries by object, where the caller has them
    grouped already (Grundschutz++ looks at the object's check results).
    """
    modelling = analysis.modelling
    entry = modelling[object_id]
    if object_id == modelling.informationsverbund.id:
        return ()
    gspp = analysis.assessment.settings.edition == "grundschutz++"
    needs = {v: analysis.propagation.level(object_id, v) for v in BASIC_VALUES}
    reasons = []
    process = entry.object.type is ObjectType.PROCESS
    if not (process and entry.covered and not entry.assignments) or gspp:
        very = [v for v in BASIC_VALUES if needs[v] is Level.SEHR_HOCH]
        high = [v for v in BASIC_VALUES if needs[v] is Level.HOCH]
        if very:
            extra = (" (Grundschutz++: zählt als hoch; dedizierte Risikobetrachtung nach Methodik GC.7.2, STM.4.1)"
                     if gspp else "")
            reasons.append(FlagReason("sehr hoch", f"Schutzbedarf sehr hoch in {', '.join(v.label for v in very)}: "
                                                   f"Risikoanalyse immer erforderlich{extra}"))
        if high:
            extra = (": dedizierte Risikobetrachtung bei hohem Schutzbedarf (Grundschutz++ Methodik GC.7.2, "
                     "STM.4.1)" if gspp else "")
            reasons.append(FlagReason("hoch", f"Schutzbedarf hoch in {', '.join(v.label for v in high)}{extra}"))
    if entry.needs_risk_analysis:
        reasons.append(FlagReason("ohne Baustein", "keine passende Zielobjekt-Kategorie: für das Asset gibt es keine "
                                                   "Anforderungen im Grundschutz++ (Methodik STM.4.1, STM.2.1.6)"
                                  if gspp else "kein passender Baustein in der Modellierung"))
    elif gspp and entry.assignments and not analysis.selection.for_object(object_id):
        reasons.append(FlagReason("ohne Baustein", "keine passenden Anforderungen: die Zielobjekt-Kategorien "
                                                   f"({', '.join(a.baustein for a in entry.assignments)}) haben "
                                                   "keine Controls (Methodik STM.4.1, STM.2.1.6)"))
    atypical = [value for key, value in entry.object.tags.items() if key.casefold() == ATYPICAL_TAG]
    if atypical:
        reasons.append(FlagReason("atypisch", "atypischer Einsatz (Tag 'atypisch')"
                                  + (f": {atypical[0]}" if atypical[0] else "")))
    if not gspp and analysis.selection.variant == "kern" and entry.object.has_tag(KRONJUWEL_TAG):
        reasons.append(FlagReason("kronjuwel", "Kronjuwel in der Kern-Absicherung: Risikoanalyse erforderlich "
                                               "(BSI-Standard 200-2, Kapitel 7)"))
    if gspp:
        entries = checked.get(object_id, ()) if checked is not None else analysis.check.for_object(object_id)
        reasons += _gspp_triggers(analysis, object_id, entries)
    return tuple(sorted(reasons, key=lambda r: FLAG_KINDS.index(r.kind)))


def _gspp_triggers(analysis, object_id: str, entries) -> list[FlagReason]:
    """The triggers of Methodik STM.4.1 that come from the check and the overrides: the security level
    lowered from ``erhöht`` to ``normal-SdT``, and requirements not implemented."""
    reasons = []
    lowered = []
    for value in BASIC_VALUES:
        derivation = analysis.propagation.derivation(object_id, value)
        if (derivation.deviation and derivation.computed is not None and derivation.computed >= Level.HOCH
                and derivation.level < Level.HOCH):
            lowered.append(f"{value.label} manuell auf {derivation.level.label} gesetzt (berechnet "
                           f"{derivation.computed.label})")
    dispensed = [e.requirement for e in entries if e.level == "erhöht" and e.status is Status.ENTBEHRLICH]
    if dispensed:
        lowered.append(f"{len(dispensed)} erhöht-Control{'s' if len(dispensed) > 1 else ''} entbehrlich: "
                       f"{_ids(dispensed)}")
    if lowered:
        reasons.append(FlagReason("herabgestuft", "Sicherheitsniveau von erhöht auf normal-SdT herabgestuft: "
                                                  + "; ".join(lowered) + " (Methodik STM.4.1)"))
    missing = [e.requirement for e in entries if e.status is Status.NEIN]
    if missing:
        reasons.append(FlagReason("nicht umgesetzt", f"{len(missing)} Control{'s' if len(missing) > 1 else ''} "
                                                     f"nicht umgesetzt (Status nein): {_ids(missing)} "
                                                     "(Methodik STM.4.1)"))
    return reasons


def flag_objects(analysis) -> dict[str, FlaggedObject]:
    """Every object that needs a risk analysis, in modelling order, with the reasons.

    ``analysis`` is an :class:`~grundschutz.method.analysis.Analysis` made with a catalog.
    """
    require_catalog(analysis)
    checked: dict[str, list] | None = None
    if analysis.assessment.settings.edition == "grundschutz++":
        checked = {}
        for entry in analysis.check.entries:
            checked.setdefault(entry.object, []).append(entry)
    return {object_id: flagged_object(analysis, object_id, reasons) for object_id in analysis.modelling.objects
            if (reasons := flag_reasons(analysis, object_id, checked))}


def flagged_object(analysis, object_id: str, reasons: tuple[FlagReason, ...]) -> FlaggedObject:
    """The :class:`FlaggedObject` of ``object_id`` with ``reasons`` and its needs."""
    obj = analysis.modelling[object_id].object
    return FlaggedObject(object_id, obj.name, obj.type.value, reasons,
                         dict(analysis.selection.needs.get(object_id, {})))


def require_catalog(analysis) -> None:
    """:class:`GrundschutzError` if ``analysis`` was made without a catalog."""
    if analysis.selection is None:
        raise GrundschutzError("Die Risikoanalyse braucht den Katalog (Modellierung und Anforderungen): "
                               "analyse() mit Katalogverzeichnis aufrufen.")
