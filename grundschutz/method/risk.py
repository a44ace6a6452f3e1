"""Risikoanalyse nach BSI-Standard 200-3.

1. :func:`flag_objects`: which objects need a risk analysis, and why
   (:mod:`grundschutz.method.risk_flags`, ``docs/method.md``, "Risikoanalyse").
2. :func:`threat_overview`: per object the elementary threats G 0.1 .. G 0.47
   relevant to its Bausteine: the threat columns of each Baustein's sheet of
   the Kreuzreferenztabellen (its header row), with the selected requirements
   that link each (Grundschutz++: the G0 props of the selected controls). A
   covered object without own Bausteine takes those of the Bausteine that
   cover it (``covered_by`` of its rule: NET.1.1 for a network). An
   object without Baustein gets all 47 elementary threats proposed, for the
   officer to rate or rule out (``relevant`` ``nein`` in ``risks.csv``).
3. ``risks.csv`` (optional; or the sheet ``risks`` of ``assessment.xlsx``)::

       object,threat,title,frequency,impact,treatment,note,accepted_by,residual_frequency,residual_impact
       SRV-01,G 0.18,,mittel,beträchtlich,reduzieren,Zweites Rechenzentrum,,selten,beträchtlich
       SRV-01,Z-1,Hersteller-Fernwartung ohne Aufsicht,häufig,beträchtlich,,,,,

   ``threat`` is ``G 0.n`` (title from the Kompendium) or an own id such as
   ``Z-1`` (``title`` required). ``frequency``: ``selten``, ``mittel``,
   ``häufig``, ``sehr häufig``; ``impact``: ``vernachlässigbar``,
   ``begrenzt``, ``beträchtlich``, ``existenzbedrohend`` (any case, ``ae``
   for ``ä``); both blank = not yet rated. ``treatment``: ``vermeiden``,
   ``reduzieren`` (name the extra measures in ``note``), ``transferieren``,
   ``akzeptieren`` (reason in ``note`` and who accepted in ``accepted_by``,
   both required). ``residual_*`` rate what is left after the treatment;
   for ``akzeptieren`` the residual risk is the risk itself.
4. The category of a risk comes from the matrix of ``assessment.yaml``
   (``risk_matrix: default`` = the example of BSI 200-3, or a 4x4 table, rows
   by impact, see :func:`grundschutz.io.settings.parse_risk_matrix`).

The rows of ``risks.csv`` are read and checked by :mod:`grundschutz.io.records`;
:func:`analyse_risks` adds what needs the catalog (does the elementary threat
exist), every problem at once with file, row, column and value
(:class:`~grundschutz.model.errors.AssessmentError`). Two
findings are *warnings* (``RiskAnalysis.warnings``), not errors: a row for an
object that needs no risk analysis (kept as a voluntary analysis, reason
``freiwillig`` - needs may have been lowered since, or the officer analyses
on purpose; the rating must not become invalid through that) and
``reduzieren`` without measures in ``note``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

from grundschutz.method.risk_flags import (  # noqa: F401 - the flagging belongs to the risk analysis' API
    ATYPICAL_TAG,
    FLAG_KINDS,
    PRESSING_KINDS,
    FlaggedObject,
    FlagReason,
    flag_objects,
    flag_reasons,
    flagged_object,
    require_catalog,
)
from grundschutz.model.errors import AssessmentError, Problem, UnknownObjectError
from grundschutz.model.ids import sorted_threats
from grundschutz.model.records import RiskRecord
from grundschutz.model.scales import DEFAULT_MATRIX, Frequency, Impact, RiskCategory, RiskMatrix, Treatment

# --------------------------------------------------------------------------- threat overview


#: ``source`` of the threats proposed for an object without Baustein: all elementary threats.
PROPOSED = "vorgeschlagen"


@dataclass(frozen=True, slots=True)
class OverviewThreat:
    """A threat of an object's overview; ``source``: ``KRT`` (the Baustein's sheet of the
    Kreuzreferenztabellen), ``G0`` (Grundschutz++), ``vorgeschlagen`` (all elementary threats, for an object
    without Baustein) or ``ergänzt`` (risks.csv); ``requirements``: the object's selected requirements
    (controls) that link it."""

    object: str
    threat: str
    title: str
    source: str
    requirements: tuple[str, ...] = ()


def threat_overview(analysis, object_id: str) -> tuple[OverviewThreat, ...]:
    """The elementary threats relevant to ``object_id``, G 0.1 .. G 0.47.

    Kompendium 2023 (BSI 200-3, Gefährdungsübersicht): the threats relevant to
    each of the object's Bausteine, i.e. the threat columns of its sheet of the
    Kreuzreferenztabellen, each with the selected requirements that link it.
    Grundschutz++: the G0 props of the selected controls (``threats``; absent
    in catalogs without them, then the officer puts the overview together in
    risks.csv). An object without Baustein (Grundschutz++: without matching
    requirement) gets all 47 elementary threats proposed.
    """
    require_catalog(analysis)
    return _overview(analysis, object_id, analysis.selection.for_object(object_id))


def _overview(analysis, object_id: str, items) -> tuple[OverviewThreat, ...]:
    kompendium = analysis.kompendium
    gspp = analysis.assessment.settings.edition == "grundschutz++"
    if gspp:
        source, catalog = "G0", getattr(analysis.modelling, "catalog", None)
        table = catalog.controls if catalog is not None else {}
    else:
        source, table = "KRT", kompendium.requirements
    links: dict[str, list[str]] = {}
    if not gspp:
        entry = analysis.modelling[object_id]
        for baustein in entry.bausteine or entry.covered_by:
            for threat in kompendium.bausteine[baustein].elementary_threats if baustein in kompendium.bausteine \
                    else ():
                links.setdefault(threat, [])
    for item in items:
        for threat in table[item.requirement].threats if item.requirement in table else ():
            links.setdefault(threat, []).append(item.requirement)
    if not links and _without_baustein(analysis, object_id, items):
        source, links = PROPOSED, {t: [] for t in kompendium.threats}
    titles = {t: kompendium.threats[t].title if t in kompendium.threats else "" for t in links}
    return tuple(OverviewThreat(object_id, t, titles[t], source, tuple(links[t])) for t in sorted_threats(links))


def _without_baustein(analysis, object_id: str, items) -> bool:
    """No fitting Baustein (no rule covers it either); Grundschutz++: no matching control."""
    entry = analysis.modelling[object_id]
    if object_id == analysis.modelling.informationsverbund.id:
        return False
    return entry.needs_risk_analysis or (bool(entry.assignments) and not items
                                         and analysis.assessment.settings.edition == "grundschutz++")


# --------------------------------------------------------------------------- risks


@dataclass(frozen=True, slots=True)
class Risk:
    """One threat of one object with its rating, treatment and residual risk.

    Unrated threats have ``frequency``, ``impact`` and ``category`` ``None``.
    ``residual_category`` is the category after treatment (for ``akzeptieren``
    the category itself; ``None`` where not rated). ``accepted_by`` and
    ``accepted_on``: who took over the risk or its residual risk, and when.
    ``relevant`` is false for a threat the officer ruled out (reason in
    ``note``). ``row``: line in risks.csv.
    """

    object: str
    threat: str
    title: str
    source: str
    requirements: tuple[str, ...] = ()
    frequency: Frequency | None = None
    impact: Impact | None = None
    category: RiskCategory | None = None
    treatment: Treatment | None = None
    note: str = ""
    accepted_by: str = ""
    residual_frequency: Frequency | None = None
    residual_impact: Impact | None = None
    residual_category: RiskCategory | None = None
    row: int | None = None
    accepted_on: date | None = None
    relevant: bool = True

    @property
    def rated(self) -> bool:
        return self.category is not None

    @property
    def open(self) -> bool:
        """Neither rated nor ruled out."""
        return self.relevant and not self.rated

    @property
    def high(self) -> bool:  # category hoch or sehr hoch
        return self.category is not None and self.category >= RiskCategory.HOCH

    @property
    def untreated(self) -> bool:
        """A ``hoch``/``sehr hoch`` risk without a treatment."""
        return self.high and self.treatment is None

    @property
    def residual_high(self) -> bool:
        """After ``vermeiden``, ``reduzieren`` or ``transferieren`` the residual risk is ``hoch`` or
        ``sehr hoch`` - or not rated although the risk itself is high."""
        if self.treatment is None or self.treatment is Treatment.AKZEPTIEREN:
            return False
        if self.residual_category is None:
            return self.high
        return self.residual_category >= RiskCategory.HOCH

    @property
    def residual_unaccepted(self) -> bool:
        """A high residual risk that nobody has taken over yet (``accepted_by`` empty): BSI 200-3,
        Risikobehandlung, and Grundschutz++ RISK.1.9 ask the management to accept it."""
        return self.residual_high and not self.accepted_by

    @property
    def status(self) -> str:
        """``nicht relevant``, ``nicht bewertet``, ``unbehandelt`` (high, no treatment), ``bewertet``,
        ``Restrisiko nicht übernommen`` or ``behandelt``."""
        if not self.relevant:
            return "nicht relevant"
        if not self.rated:
            return "nicht bewertet"
        if self.treatment is not None:
            return "Restrisiko nicht übernommen" if self.residual_unaccepted else "behandelt"
        return "unbehandelt" if self.high else "bewertet"


@dataclass(frozen=True)
class ObjectRisks:
    """The risk analysis of one object: why, and every threat of its overview."""

    flagged: FlaggedObject
    risks: tuple[Risk, ...]

    @property
    def open(self) -> tuple[Risk, ...]:  # threats neither rated nor ruled out
        return tuple(r for r in self.risks if r.open)

    @property
    def untreated(self) -> tuple[Risk, ...]:
        return tuple(r for r in self.risks if r.untreated)

    @property
    def residual_unaccepted(self) -> tuple[Risk, ...]:
        """High residual risks nobody has taken over yet."""
        return tuple(r for r in self.risks if r.residual_unaccepted)

    @property
    def proposed(self) -> bool:
        """The overview is the proposal of all elementary threats (object without Baustein)."""
        return any(r.source == PROPOSED for r in self.risks)

    @property
    def complete(self) -> bool:
        """Every threat rated (and there is at least one)."""
        return bool(self.risks) and not self.open

    def by_category(self) -> dict[str, int]:
        """Rated threats per category, ``gering`` .. ``sehr hoch``."""
        return {c.value: sum(r.category is c for r in self.risks) for c in RiskCategory}

    @property
    def status(self) -> str:
        """What is left to do, in German."""
        if not self.risks:
            return "offen: Gefährdungsübersicht zusammenstellen (keine verknüpfte elementare Gefährdung)"
        if self.open:
            return f"offen: {len(self.open)} von {len(self.risks)} Gefährdungen nicht bewertet"
        if self.untreated:
            count = len(self.untreated)
            return f"bewertet, {count} hohe{'s Risiko' if count == 1 else ' Risiken'} unbehandelt"
        if self.residual_unaccepted:
            count = len(self.residual_unaccepted)
            return f"bewertet, {count} hohe{'s Restrisiko' if count == 1 else ' Restrisiken'} nicht übernommen"
        return "abgeschlossen"


@dataclass(frozen=True)
class RiskAnalysis:
    """The risk analysis of an assessment (:func:`analyse_risks`), objects in modelling order."""

    objects: Mapping[str, ObjectRisks]
    matrix: RiskMatrix = DEFAULT_MATRIX
    warnings: tuple[Problem, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", MappingProxyType(dict(self.objects)))

    def __iter__(self) -> Iterator[ObjectRisks]:
        return iter(self.objects.values())

    def __len__(self) -> int:
        return len(self.objects)

    def __getitem__(self, object_id: str) -> ObjectRisks:
        try:
            return self.objects[object_id]
        except KeyError:
            raise UnknownObjectError(f"Zielobjekt '{object_id}' braucht keine Risikoanalyse "
                                     "und hat keine Zeilen in risks.csv") from None

    @property
    def risks(self) -> tuple[Risk, ...]:
        return tuple(r for o in self for r in o.risks)

    @property
    def untreated(self) -> tuple[Risk, ...]:
        """Every ``hoch``/``sehr hoch`` risk without treatment, highest category first."""
        found = [r for r in self.risks if r.untreated]
        return tuple(sorted(found, key=lambda r: -r.category.rank))

    @property
    def residual_unaccepted(self) -> tuple[Risk, ...]:
        """Every high residual risk after ``vermeiden``/``reduzieren``/``transferieren`` that nobody has taken
        over yet, highest residual category first."""
        found = [r for r in self.risks if r.residual_unaccepted]
        return tuple(sorted(found, key=lambda r: -(r.residual_category or r.category).rank))

    @property
    def open_objects(self) -> tuple[str, ...]:
        """Objects whose analysis still has unrated threats (or no threats at all)."""
        return tuple(i for i, o in self.objects.items() if not o.complete)

    def by_category(self) -> dict[str, int]:
        return {c.value: sum(r.category is c for r in self.risks) for c in RiskCategory}


def analyse_risks(analysis) -> RiskAnalysis:
    """The risk analysis of an :class:`~grundschutz.method.analysis.Analysis` made with a catalog,
    from the rows of ``risks.csv`` and the matrix of ``assessment.yaml``.

    :class:`AssessmentError` lists every row whose elementary threat the
    Kompendium lacks. Usually reached as ``analysis.risks``::

        risks = analyse(read_assessment("assessments/haan"), catalog).risks
        risks["SRV-01"].status   # 'offen: 13 von 25 Gefährdungen nicht bewertet'
        risks.untreated          # SRV-01 G 0.30 and DL-08 G 0.40
    """
    require_catalog(analysis)
    matrix = analysis.assessment.settings.risk_matrix
    flagged = flag_objects(analysis)
    problems: list[Problem] = []
    rows, warnings = _rows(analysis, flagged, problems)
    if problems:
        raise AssessmentError(problems, analysis.assessment.source)
    by_object: dict[str, list] = {}
    for item in analysis.selection:
        by_object.setdefault(item.object, []).append(item)
    result = {}
    for object_id in analysis.modelling.objects:
        own = rows.get(object_id, {})
        if object_id in flagged:
            entry = flagged[object_id]
        elif own:
            entry = flagged_object(analysis, object_id, (FlagReason("freiwillig", "freiwillige Risikoanalyse (Zeilen in "
                                                                            "risks.csv)"),))
        else:
            continue
        overview = _overview(analysis, object_id, by_object.get(object_id, ()))
        listed = {t.threat for t in overview}
        threats = [*overview, *(OverviewThreat(object_id, tid, row.title, "ergänzt")
                                for tid, row in own.items() if tid not in listed)]
        result[object_id] = ObjectRisks(entry, tuple(_risk(t, own.get(t.threat), matrix) for t in threats))
    return RiskAnalysis(result, matrix, tuple(sorted(set(warnings), key=lambda p: (p.row or 0, p.message))),
                        analysis.assessment.source)


def _risk(threat: OverviewThreat, row: RiskRecord | None, matrix: RiskMatrix) -> Risk:
    if row is None:
        return Risk(threat.object, threat.threat, threat.title, threat.source, threat.requirements)
    frequency, impact, treatment = row.frequency, row.impact, row.treatment
    category = matrix.category(frequency, impact) if frequency and impact else None
    rf, ri = row.residual_frequency, row.residual_impact
    if rf and ri:
        residual = matrix.category(rf, ri)
    elif treatment is Treatment.AKZEPTIEREN:
        rf, ri, residual = frequency, impact, category
    else:
        residual = None
    return Risk(threat.object, threat.threat, threat.title, threat.source, threat.requirements, frequency, impact,
                category, treatment, row.note, row.accepted_by, rf, ri, residual, row.row, row.accepted_on,
                row.relevant)


def _rows(analysis, flagged: Mapping[str, FlaggedObject], problems: list[Problem]):
    """``({object: {threat: record}}, warnings)`` of the rows of risks.csv; errors go to ``problems``.

    Warnings: a row for an object that needs no risk analysis (it is kept as a
    voluntary analysis) and ``reduzieren`` without measures in ``note``.
    """
    kompendium = analysis.kompendium
    objects = analysis.modelling.objects
    warnings: list[Problem] = []
    warned: set[str] = set()
    rows: dict[str, dict[str, RiskRecord]] = {}
    unknown = {(p.file, p.row) for p in unknown_threats(analysis.assessment.risk_records, kompendium, problems)}
    for record in analysis.assessment.risk_records:
        if record.object not in objects:
            problems.append(Problem(record.file, record.row, "object", record.object, "unbekannte Objekt-ID"))
            continue
        if (record.file, record.row) in unknown:
            continue
        if record.elementary:
            record = replace(record, title=kompendium.threats[record.threat].title)
        if record.object not in flagged and record.object not in warned:
            warned.add(record.object)
            warnings.append(Problem(record.file, record.row, "object", record.object,
                                    "Zielobjekt braucht keine Risikoanalyse (kein hoher Schutzbedarf, Baustein "
                                    "vorhanden, nicht atypisch); die Bewertung wird als freiwillige "
                                    "Risikoanalyse geführt"))
        if record.treatment is Treatment.REDUZIEREN and not record.note:
            warnings.append(Problem(record.file, record.row, "note", "", "'reduzieren' sollte in 'note' die "
                                                                         "zusätzlichen Maßnahmen nennen"))
        rows.setdefault(record.object, {})[record.threat] = record
    return rows, warnings


def unknown_threats(records, kompendium, problems: list[Problem]) -> list[Problem]:
    """A problem for every row of ``records`` whose elementary threat the Kompendium lacks; appended to
    ``problems`` and returned."""
    found = [Problem(r.file, r.row, "threat", r.written, "elementare Gefährdung gibt es im Kompendium nicht "
                                                          "(G 0.1 bis G 0.47)")
             for r in records if r.elementary and r.threat not in kompendium.threats]
    problems.extend(found)
    return found
