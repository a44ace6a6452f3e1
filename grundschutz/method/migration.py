"""Migration of an IT-Grundschutz-Check from the Kompendium 2023 to Grundschutz++.

:func:`migrate` takes the :class:`~grundschutz.method.analysis.Analysis` of a
Kompendium assessment (its check), models the same assessment in
Grundschutz++ (:mod:`grundschutz.method.gspp`, same protection needs) and
follows the BSI's official mapping (``ITGS-to-GS++-mapping_collection.json``)
from every checked requirement to the Grundschutz++ controls.

The Grundschutz++ selection is that of ``standard`` (Grundschutz++ has no
variants); controls without Zielobjekt-Kategorie that wait for the relevance
decision of Methodik STM.2.1.5 stay on the Informationsverbund provisionally
(their reason says so), since a Kompendium assessment has no ``relevance.csv``.

The mapping links *sub-requirements* of the Kompendium (``SYS.1.1.A1-UA.2``)
to controls; its relationship reads "sub-requirement <relationship>
control". The carry-over rule (:data:`CARRY_RULE` says it in German):

- A result carries over from requirement R of object O to control K only if
  K is selected for O in Grundschutz++ and a sub-requirement of R maps to K
  with ``equal-to``, ``equivalent-to`` or ``superset-of`` (the Kompendium side
  covers at least the whole control).
- Only ``ja`` and ``entbehrlich`` carry over: they hold for every
  sub-requirement of R. ``teilweise`` and ``nein`` do not say which
  sub-requirement is missing; ``unbearbeitet`` has no result.
- ``subset-of`` and ``intersects-with`` (the control asks for more or for
  something else) never carry a result: they are a hint (``Hinweis``).
- Several carrying sources: ``ja`` wins over ``entbehrlich`` (both count as
  implemented, so they never contradict each other).

Per (object, control) the outcome is ``übernommen`` (status carried over),
``Hinweis`` (assess anew; mapped results exist but do not carry) or ``neu``
(assess anew; no mapped requirement with a result). The coverage of an object
is the share of its Grundschutz++ controls whose status carries over. Because
only ``ja``/``entbehrlich`` carry, it is also the share known to be
implemented from the old check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.catalog.gspp_controls import GsppCatalog
from grundschutz.method.gspp import GsppSelection, gspp_not_selected_reason, model_gspp, select_gspp
from grundschutz.model.errors import GrundschutzError
from grundschutz.model.records import Status
from grundschutz.model.rules import GsppRules

GSPP_EDITION = "grundschutz++"

#: Relationships under which the Kompendium side covers the whole control.
FULL_RELATIONSHIPS = ("equal-to", "equivalent-to", "superset-of")
#: Relationships under which the control asks for more or something else.
PARTIAL_RELATIONSHIPS = ("subset-of", "intersects-with")
_RELATIONSHIP_ORDER = {r: i for i, r in enumerate(FULL_RELATIONSHIPS + PARTIAL_RELATIONSHIPS)}
_CARRIED_STATUSES = (Status.JA, Status.ENTBEHRLICH)
#: Outcomes per (object, control), in this order.
OUTCOMES = ("übernommen", "Hinweis", "neu")
#: Outcomes of a link (object, requirement, control).
LINK_OUTCOMES = ("übernommen", "Hinweis", "ohne Ergebnis", "nicht ausgewählt", "nicht im Katalog", "keine Zuordnung")
VIEWS = ("coverage", "controls", "links")
#: The carry-over rule in German, for every output.
CARRY_RULE = (
    "Übernahme-Regel: Ein Prüfergebnis des Kompendiums 2023 wird auf ein Grundschutz++-Control übertragen, "
    "wenn das Control demselben Zielobjekt zugeordnet ist und das BSI-Mapping eine Teilanforderung der "
    "Anforderung mit 'equal-to', 'equivalent-to' oder 'superset-of' (die Anforderung deckt das Control ganz ab) "
    "auf das Control abbildet. Übertragen werden nur 'ja' und 'entbehrlich', weil sie für jede Teilanforderung "
    "gelten; 'teilweise' und 'nein' sagen nicht, welche Teilanforderung fehlt. Bei 'subset-of' und "
    "'intersects-with' (das Control verlangt mehr oder anderes) ist das Ergebnis nur ein Hinweis. Controls "
    "ohne übertragenes Ergebnis (Hinweis oder neu) sind neu zu prüfen. Abdeckung = Anteil der Controls "
    "eines Zielobjekts mit übertragenem Ergebnis."
)


@dataclass(frozen=True)
class MigrationLink:
    """One checked Kompendium requirement of an object and one control it maps to.

    ``relationships``: the mapped sub-requirements as ``(source_id,
    relationship)``; ``relationship`` the strongest of them (``equal-to`` >
    ``equivalent-to`` > ``superset-of`` > ``subset-of`` > ``intersects-with``).
    ``control`` is ``""`` for a requirement the mapping does not cover.
    ``outcome`` is one of :data:`LINK_OUTCOMES`, ``reason`` says why (German).
    """

    object: str
    requirement: str
    baustein: str
    status: Status
    control: str
    relationship: str
    relationships: tuple[tuple[str, str], ...]
    outcome: str
    reason: str

    @property
    def carries(self) -> bool:
        return self.outcome == "übernommen"


@dataclass(frozen=True)
class ControlMigration:
    """A Grundschutz++ control selected for an object, and what the old check says about it.

    ``status`` is the carried status (``None`` unless ``outcome`` is
    ``übernommen``); ``sources`` the links from this object's checked
    requirements to the control; ``reason`` in German.
    """

    object: str
    control: str
    group: str
    title: str
    level: str
    effort_level: int | None
    outcome: str
    status: Status | None
    sources: tuple[MigrationLink, ...]
    reason: str


@dataclass(frozen=True)
class MigrationCoverage:
    """Counts of one object (or of all, ``object`` = ``None``)."""

    object: str | None
    controls: int = 0
    carried: int = 0
    hints: int = 0
    new: int = 0

    @property
    def to_assess(self) -> int:
        """Controls to assess anew (``Hinweis`` + ``neu``)."""
        return self.hints + self.new

    @property
    def percent(self) -> float | None:
        """Share of controls whose status carries over, in percent (``None`` without controls)."""
        return 100.0 * self.carried / self.controls if self.controls else None


@dataclass(frozen=True)
class Migration:
    """The result of :func:`migrate`.

    ``links`` in check order (one per requirement and mapped control);
    ``controls`` in the order of the Grundschutz++ selection; ``selection``
    is the Grundschutz++ selection of the same assessment.
    """

    selection: GsppSelection
    links: tuple[MigrationLink, ...]
    controls: tuple[ControlMigration, ...]
    mapping_title: str = ""
    mapping_status: str | None = None
    _index: Mapping[tuple[str, str], ControlMigration] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({(c.object, c.control): c for c in self.controls}))

    def control(self, object_id: str, control_id: str) -> ControlMigration:
        """The migration of one control of one object; :class:`GrundschutzError` if not selected."""
        try:
            return self._index[(object_id, control_id)]
        except KeyError:
            raise GrundschutzError(
                f"Control {control_id} ist für {object_id} in Grundschutz++ nicht ausgewählt") from None

    def for_object(self, object_id: str) -> tuple[ControlMigration, ...]:
        self.selection.modelling[object_id]
        return tuple(c for c in self.controls if c.object == object_id)

    def to_assess(self, object_id: str | None = None) -> tuple[ControlMigration, ...]:
        """Controls to assess anew (outcome ``Hinweis`` or ``neu``), of one object or all."""
        items = self.controls if object_id is None else self.for_object(object_id)
        return tuple(c for c in items if c.outcome != "übernommen")

    def coverage(self) -> tuple[MigrationCoverage, ...]:
        """One :class:`MigrationCoverage` per object (modelling order, objects without controls left out)."""
        counts: dict[str, dict[str, int]] = {}
        for item in self.controls:
            entry = counts.setdefault(item.object, dict.fromkeys(OUTCOMES, 0))
            entry[item.outcome] += 1
        return tuple(MigrationCoverage(o, sum(c.values()), c["übernommen"], c["Hinweis"], c["neu"])
                     for o, c in counts.items())

    @property
    def checked_objects(self) -> tuple[str, ...]:
        """Objects with at least one check result other than ``unbearbeitet``, in modelling order."""
        checked = {link.object for link in self.links if link.status is not Status.UNBEARBEITET}
        return tuple(o for o in self.selection.modelling.objects if o in checked)

    def overall(self, objects: Iterable[str] | None = None) -> MigrationCoverage:
        """The coverage of all objects together, or of ``objects`` only (e.g. :attr:`checked_objects`)."""
        wanted = None if objects is None else set(objects)
        rows = [r for r in self.coverage() if wanted is None or r.object in wanted]
        return MigrationCoverage(None, sum(r.controls for r in rows), sum(r.carried for r in rows),
                                 sum(r.hints for r in rows), sum(r.new for r in rows))


def migrate(analysis, catalog: GsppCatalog | None = None, rules: GsppRules | None = None) -> Migration:
    """Carry the check of a Kompendium analysis over to Grundschutz++ (rule: module docstring).

    ``analysis`` comes from :func:`grundschutz.method.analysis.analyse` on an
    assessment with ``edition: kompendium-2023`` and an installed catalog
    (Kompendium, Grundschutz++ and the mapping). ``catalog`` and ``rules``
    default to the Grundschutz++ controls and rules of the analysis' catalog
    (:meth:`Catalog.gspp <grundschutz.catalog.loading.Catalog.gspp>`,
    :meth:`Catalog.gspp_rules <grundschutz.catalog.loading.Catalog.gspp_rules>`).
    """
    if analysis.check is None or analysis.catalog is None:
        raise GrundschutzError("Für die Migration werden der IT-Grundschutz-Check und die Kataloge gebraucht "
                               "(Katalog installieren, dann erneut ausführen).")
    if analysis.assessment.settings.edition == GSPP_EDITION:
        raise GrundschutzError("Die Bewertung ist bereits auf Grundschutz++ eingestellt (edition: grundschutz++); "
                               "migriert wird ein Check nach dem Kompendium 2023.")
    catalog = catalog if catalog is not None else analysis.catalog.gspp()
    mapping = analysis.catalog.mapping()
    rules = rules if rules is not None else analysis.catalog.gspp_rules()
    modelling = model_gspp(analysis.assessment, catalog, rules)
    # Grundschutz++ has no variants; the controls without category that wait for the relevance decision
    # (STM.2.1.5) stay on the Informationsverbund provisionally, so that the results mapped to them carry over
    selection = select_gspp(modelling, analysis.propagation, catalog, "standard", provisional_relevance=True)
    by_requirement: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for entry in mapping:
        if entry.relationship in _RELATIONSHIP_ORDER:
            targets = by_requirement.setdefault(entry.requirement_id, {})
            targets.setdefault(entry.target_id, []).append((entry.source_id, entry.relationship))
    links: list[MigrationLink] = []
    for check_entry in analysis.check:
        targets = by_requirement.get(check_entry.requirement)
        head = (check_entry.object, check_entry.requirement, check_entry.baustein, check_entry.status)
        if not targets:
            links.append(MigrationLink(*head, "", "", (), "keine Zuordnung",
                                       "Anforderung kommt im BSI-Mapping nicht vor"))
            continue
        for control_id, pairs in targets.items():
            pairs = sorted(set(pairs), key=lambda p: (_RELATIONSHIP_ORDER[p[1]], p[0]))
            outcome, reason = _link_outcome(check_entry.object, control_id, check_entry.status, pairs[0][1],
                                            selection, catalog)
            links.append(MigrationLink(*head, control_id, pairs[0][1], tuple(pairs), outcome, reason))
    by_control: dict[tuple[str, str], list[MigrationLink]] = {}
    for link in links:
        if link.control:
            by_control.setdefault((link.object, link.control), []).append(link)
    controls = tuple(
        _control_migration(item, by_control.get((item.object, item.requirement), ()), selection)
        for item in selection
    )
    return Migration(selection, tuple(links), controls, mapping.title, mapping.status)


def _link_outcome(object_id: str, control_id: str, status: Status, relationship: str,
                  selection: GsppSelection, catalog: GsppCatalog) -> tuple[str, str]:
    if control_id not in catalog.controls:
        return "nicht im Katalog", f"{control_id} gibt es im geladenen Grundschutz++-Katalog nicht (mehr)"
    if selection.get(object_id, control_id) is None:
        why = gspp_not_selected_reason(selection, object_id, control_id, catalog)
        return "nicht ausgewählt", f"{control_id} ist {object_id} in Grundschutz++ nicht zugeordnet ({why})"
    if status is Status.UNBEARBEITET:
        return "ohne Ergebnis", "Anforderung ist im Check unbearbeitet"
    if relationship in FULL_RELATIONSHIPS and status in _CARRIED_STATUSES:
        return "übernommen", f"'{status.value}' übertragen ({relationship}: die Anforderung deckt das Control ab)"
    if relationship in FULL_RELATIONSHIPS:
        return "Hinweis", (f"'{status.value}' nicht übertragbar: gilt nicht sicher für jede Teilanforderung "
                           f"({relationship})")
    return "Hinweis", f"'{status.value}' nur Hinweis ({relationship}: das Control verlangt mehr oder anderes)"


def _control_migration(item, sources, selection: GsppSelection) -> ControlMigration:
    carried = [s for s in sources if s.carries]
    hints = [s for s in sources if s.outcome == "Hinweis"]
    status = None
    if carried:
        status = Status.JA if any(s.status is Status.JA for s in carried) else Status.ENTBEHRLICH
        outcome = "übernommen"
        reason = "übernommen aus " + "; ".join(f"{s.requirement} ({s.status.value}, {s.relationship})"
                                               for s in carried)
    elif hints:
        outcome = "Hinweis"
        reason = "neu prüfen, Hinweise: " + "; ".join(f"{s.requirement} ({s.status.value}, {s.relationship})"
                                                       for s in hints)
    else:
        outcome = "neu"
        reason = ("neu prüfen: zugeordnete Anforderungen sind unbearbeitet" if sources
                  else "neu prüfen: keine geprüfte Anforderung des Kompendiums bildet auf dieses Control ab")
    return ControlMigration(item.object, item.requirement, item.baustein, item.title, item.level,
                            selection.effort_levels.get(item.requirement), outcome, status, tuple(sources), reason)
