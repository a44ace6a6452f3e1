"""Risikoanalyse nach BSI-Standard 200-3.

1. :func:`flag_objects`: which objects need a risk analysis, and why
   (DESIGN.md section 2):

   - ``sehr hoch`` in any basic value: always;
   - ``hoch`` in any basic value (Kompendium 2023 only: Grundschutz++ knows
     only ``normal``/``hoch``, there ``sehr hoch`` alone flags);
   - no fitting Baustein (``modelling.unmodelled``);
   - tagged as used atypically: the tag ``atypisch`` in ``objects.csv``,
     plain or with the reason as value, e.g. ``atypisch=Server steht beim
     Hersteller`` (BSI 200-2: "in Einsatzszenarien betrieben, die im
     IT-Grundschutz nicht vorgesehen sind"). Key case does not matter.

   Objects that a modelling rule declares *covered* (business processes, whose
   Bausteine sit on the Informationsverbund) are not flagged for their need:
   the need flows to the applications and systems they use, which are flagged
   in their place. The Informationsverbund ``IV`` is never flagged.
2. :func:`threat_overview`: per object the elementary threats G 0.1 .. G 0.47
   that the Kreuzreferenztabellen (Grundschutz++: the G0 props of the
   controls) link to its *selected* requirements, with their titles and the
   linking requirements. An object without Baustein has no selected
   requirements: the officer puts its overview together in ``risks.csv`` from
   the elementary threats and own threats.
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
   (``risk_matrix: default`` = the example of BSI 200-3 in DESIGN.md, or a
   4x4 table, rows by impact, see :func:`parse_risk_matrix`).

Validation follows the rest of the toolkit: every problem at once with file,
row, column and value (:class:`~grundschutz.model.errors.AssessmentError`). Two
findings are *warnings* (``RiskAnalysis.warnings``), not errors: a row for an
object that needs no risk analysis (kept as a voluntary analysis, reason
``freiwillig`` - needs may have been lowered since, or the officer analyses
on purpose; the rating must not become invalid through that) and
``reduzieren`` without measures in ``note``.

>>> Frequency.parse("Sehr haeufig"), Impact.parse("begrenzt").rank
(<Frequency.SEHR_HAEUFIG: 'sehr häufig'>, 1)
>>> DEFAULT_MATRIX.category(Frequency.HAEUFIG, Impact.BETRAECHTLICH).label
'hoch'
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType

from grundschutz.catalog._common import normalise_threat_id, sorted_threats
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem, UnknownObjectError
from grundschutz.io.inventory import SETTINGS_FILE, Table
from grundschutz.model.assessment import BASIC_VALUES, BasicValue, Level
from grundschutz.method.modelling import read_optional_table

REQUIRED_COLUMNS = ("object", "threat")
OPTIONAL_COLUMNS = ("title", "frequency", "impact", "treatment", "note", "accepted_by",
                    "residual_frequency", "residual_impact")
#: The tag that marks an object used atypically.
ATYPICAL_TAG = "atypisch"
#: Kinds of :class:`FlagReason`, in the order they are reported.
FLAG_KINDS = ("sehr hoch", "ohne Baustein", "atypisch", "hoch", "freiwillig")
#: Kinds for which the Kompendium's requirements cannot stand in for the analysis.
PRESSING_KINDS = frozenset({"sehr hoch", "ohne Baustein", "atypisch"})
_ELEMENTARY = re.compile(r"^G\s*0\.\d+$", re.IGNORECASE)
_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))


@functools.total_ordering
class _Scale(enum.Enum):
    """An ordered German scale; members compare by :attr:`rank`."""

    @property
    def label(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """0 for the lowest step."""
        return list(type(self)).index(self)

    @classmethod
    def parse(cls, text: str):
        key = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
        for candidate in (key, _with_umlauts(key)):
            for member in cls:
                if member.value == candidate:
                    return member
        raise ValueError(f"{_NOUNS[cls.__name__]} (erlaubt: {', '.join(m.value for m in cls)})")

    def __lt__(self, other):
        return self.rank < other.rank if type(other) is type(self) else NotImplemented

    def __str__(self) -> str:
        return self.value


def _with_umlauts(key: str) -> str:
    for plain, umlaut in _UMLAUTS:
        key = key.replace(plain, umlaut)
    return key


class Frequency(_Scale):
    """Eintrittshäufigkeit of a threat."""

    SELTEN = "selten"
    MITTEL = "mittel"
    HAEUFIG = "häufig"
    SEHR_HAEUFIG = "sehr häufig"


class Impact(_Scale):
    """Auswirkung (Schadenshöhe) of a threat."""

    VERNACHLAESSIGBAR = "vernachlässigbar"
    BEGRENZT = "begrenzt"
    BETRAECHTLICH = "beträchtlich"
    EXISTENZBEDROHEND = "existenzbedrohend"


class RiskCategory(_Scale):
    """Risikokategorie from the matrix."""

    GERING = "gering"
    MITTEL = "mittel"
    HOCH = "hoch"
    SEHR_HOCH = "sehr hoch"


class Treatment(_Scale):
    """Risikobehandlung (BSI 200-3, chapter 6)."""

    VERMEIDEN = "vermeiden"
    REDUZIEREN = "reduzieren"
    TRANSFERIEREN = "transferieren"
    AKZEPTIEREN = "akzeptieren"


_NOUNS = {"Frequency": "unbekannte Häufigkeit", "Impact": "unbekannte Auswirkung",
          "RiskCategory": "unbekannte Risikokategorie", "Treatment": "unbekannte Behandlung"}


# --------------------------------------------------------------------------- matrix


@dataclass(frozen=True)
class RiskMatrix:
    """Risk category per (impact, frequency); ``source`` is ``default`` or ``assessment.yaml``."""

    cells: Mapping[tuple[Impact, Frequency], RiskCategory]
    source: str = "default"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", MappingProxyType(dict(self.cells)))

    def category(self, frequency: Frequency, impact: Impact) -> RiskCategory:
        """The category of a threat rated ``frequency`` and ``impact``."""
        return self.cells[(impact, frequency)]

    def rows(self) -> list[tuple[Impact, tuple[RiskCategory, ...]]]:
        """The matrix as in DESIGN.md: per impact the categories for selten .. sehr häufig."""
        return [(i, tuple(self.cells[(i, f)] for f in Frequency)) for i in Impact]


def _matrix(rows: Mapping[Impact, tuple[str, str, str, str]], source: str) -> RiskMatrix:
    return RiskMatrix({(i, f): RiskCategory.parse(c) for i, row in rows.items() for f, c in zip(Frequency, row)},
                      source)


#: The example matrix of BSI 200-3 (DESIGN.md section 2), rows by impact.
DEFAULT_MATRIX = _matrix({
    Impact.VERNACHLAESSIGBAR: ("gering", "gering", "gering", "gering"),
    Impact.BEGRENZT: ("gering", "gering", "mittel", "hoch"),
    Impact.BETRAECHTLICH: ("mittel", "mittel", "hoch", "sehr hoch"),
    Impact.EXISTENZBEDROHEND: ("mittel", "hoch", "sehr hoch", "sehr hoch"),
}, "default")


def parse_risk_matrix(raw: object, file: str = SETTINGS_FILE) -> RiskMatrix:
    """Validate ``risk_matrix`` of ``assessment.yaml`` (as read by ``parse_settings``).

    ``default`` (or nothing) is :data:`DEFAULT_MATRIX`. A table has one key
    per impact; each row is a list of four categories (for selten, mittel,
    häufig, sehr häufig) or a mapping frequency -> category. A category may
    not fall as frequency or impact rises. Raises :class:`AssessmentError`
    with every problem.

    >>> m = parse_risk_matrix({"vernachlässigbar": ["gering"] * 4, "begrenzt": ["gering"] * 4,
    ...                        "beträchtlich": ["mittel"] * 4, "existenzbedrohend": ["hoch"] * 4})
    >>> m.category(Frequency.SELTEN, Impact.EXISTENZBEDROHEND).label
    'hoch'
    >>> parse_risk_matrix("streng")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.AssessmentError: 1 Fehler:
      assessment.yaml, Spalte 'risk_matrix', Wert 'streng': muss 'default' oder eine 4x4-Tabelle sein ...
    """
    matrix, problems = _parse_matrix(raw, file)
    if problems:
        raise AssessmentError(problems)
    return matrix


def _parse_matrix(raw: object, file: str) -> tuple[RiskMatrix, list[Problem]]:
    problems: list[Problem] = []
    if raw is None or (isinstance(raw, str) and raw.strip().lower() == "default"):
        return DEFAULT_MATRIX, problems
    if not isinstance(raw, dict):
        return DEFAULT_MATRIX, [Problem(file, None, "risk_matrix", _show(raw),
                                        "muss 'default' oder eine 4x4-Tabelle sein (Zeilen: Auswirkung "
                                        "vernachlässigbar .. existenzbedrohend, Spalten: Häufigkeit selten .. "
                                        "sehr häufig)")]

    def bad(where: str, value: object, message: str) -> None:
        problems.append(Problem(file, None, f"risk_matrix{where}", None if value is None else _show(value), message))

    rows: dict[Impact, object] = {}
    for key, row in raw.items():
        try:
            impact = Impact.parse(str(key))
        except ValueError as exc:
            bad(f".{key}", None, str(exc))
            continue
        if impact in rows:
            bad(f".{key}", None, f"Auswirkung '{impact}' doppelt angegeben")
        rows[impact] = row
    cells: dict[tuple[Impact, Frequency], RiskCategory] = {}
    for impact in Impact:
        where = f".{impact}"
        if impact not in rows:
            bad(where, None, "Zeile fehlt")
            continue
        row = rows[impact]
        if isinstance(row, list):
            if len(row) != len(Frequency):
                bad(where, row, f"braucht 4 Kategorien (selten, mittel, häufig, sehr häufig), hat {len(row)}")
                continue
            given = dict(zip(Frequency, row))
        elif isinstance(row, dict):
            given = {}
            for key, value in row.items():
                try:
                    given[Frequency.parse(str(key))] = value
                except ValueError as exc:
                    bad(f"{where}.{key}", None, str(exc))
            for frequency in Frequency:
                if frequency not in given:
                    bad(f"{where}.{frequency}", None, "Angabe fehlt")
        else:
            bad(where, row, "muss eine Liste von 4 Kategorien oder eine Zuordnung Häufigkeit -> Kategorie sein")
            continue
        for frequency, value in given.items():
            try:
                cells[(impact, frequency)] = RiskCategory.parse(str(value))
            except ValueError as exc:
                bad(f"{where}.{frequency}", value, str(exc))
    if problems:
        return DEFAULT_MATRIX, problems
    steps = [(i, a, i, b, "Häufigkeit", a) for i in Impact for a, b in pairwise(Frequency)]
    steps += [(a, f, b, f, "Auswirkung", a) for f in Frequency for a, b in pairwise(Impact)]
    for low_i, low_f, high_i, high_f, word, low in steps:
        if cells[(high_i, high_f)] < cells[(low_i, low_f)]:
            bad(f".{high_i}.{high_f}", cells[(high_i, high_f)],
                f"Kategorie sinkt mit steigender {word} ({low}: {cells[(low_i, low_f)]})")
    return (DEFAULT_MATRIX, problems) if problems else (RiskMatrix(cells, file), problems)


# --------------------------------------------------------------------------- flagging


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
    def why(self) -> str:
        """The reasons as one German sentence."""
        return "; ".join(r.text for r in self.reasons)


def flag_reasons(analysis, object_id: str) -> tuple[FlagReason, ...]:
    """The reasons why ``object_id`` needs a risk analysis (empty: it needs none)."""
    modelling = analysis.modelling
    entry = modelling[object_id]
    if object_id == modelling.informationsverbund.id:
        return ()
    gspp = analysis.assessment.settings.edition == "grundschutz++"
    needs = {v: analysis.propagation.level(object_id, v) for v in BASIC_VALUES}
    reasons = []
    if not (entry.covered and not entry.assignments):
        very = [v for v in BASIC_VALUES if needs[v] is Level.SEHR_HOCH]
        high = [v for v in BASIC_VALUES if needs[v] is Level.HOCH]
        if very:
            extra = " (Grundschutz++: zählt als hoch und verlangt zusätzlich eine Risikoanalyse)" if gspp else ""
            reasons.append(FlagReason("sehr hoch", f"Schutzbedarf sehr hoch in {', '.join(v.label for v in very)}: "
                                                   f"Risikoanalyse immer erforderlich{extra}"))
        if high and not gspp:
            reasons.append(FlagReason("hoch", f"Schutzbedarf hoch in {', '.join(v.label for v in high)}"))
    if entry.needs_risk_analysis:
        reasons.append(FlagReason("ohne Baustein", "kein passender Baustein in der Modellierung"))
    atypical = [value for key, value in entry.object.tags.items() if key.casefold() == ATYPICAL_TAG]
    if atypical:
        reasons.append(FlagReason("atypisch", "atypischer Einsatz (Tag 'atypisch')"
                                  + (f": {atypical[0]}" if atypical[0] else "")))
    return tuple(sorted(reasons, key=lambda r: FLAG_KINDS.index(r.kind)))


def flag_objects(analysis) -> dict[str, FlaggedObject]:
    """Every object that needs a risk analysis, in modelling order, with the reasons.

    ``analysis`` is an :class:`~grundschutz.method.analysis.Analysis` made with a catalog.
    """
    _require_catalog(analysis)
    return {object_id: _flagged(analysis, object_id, reasons) for object_id in analysis.modelling.objects
            if (reasons := flag_reasons(analysis, object_id))}


def _flagged(analysis, object_id: str, reasons: tuple[FlagReason, ...]) -> FlaggedObject:
    obj = analysis.modelling[object_id].object
    return FlaggedObject(object_id, obj.name, obj.type.value, reasons,
                         dict(analysis.selection.needs.get(object_id, {})))


def _require_catalog(analysis) -> None:
    if analysis.selection is None:
        raise GrundschutzError("Die Risikoanalyse braucht den Katalog (Modellierung und Anforderungen): "
                               "analyse() mit Katalogverzeichnis aufrufen.")


# --------------------------------------------------------------------------- threat overview


@dataclass(frozen=True)
class OverviewThreat:
    """A threat of an object's overview; ``source``: ``KRT``, ``G0`` (Grundschutz++) or ``ergänzt``
    (risks.csv); ``requirements``: the object's selected requirements (controls) that link it."""

    object: str
    threat: str
    title: str
    source: str
    requirements: tuple[str, ...] = ()


def threat_overview(analysis, object_id: str) -> tuple[OverviewThreat, ...]:
    """The elementary threats linked to the selected requirements of ``object_id``, G 0.1 .. G 0.47.

    Kompendium 2023: the links of the KRT. Grundschutz++: the G0 props of the
    controls (``threats``; absent in catalogs without them, then the officer
    puts the overview together in risks.csv).
    """
    _require_catalog(analysis)
    return _overview(analysis, object_id, analysis.selection.for_object(object_id))


def _overview(analysis, object_id: str, items) -> tuple[OverviewThreat, ...]:
    kompendium = analysis.kompendium
    if analysis.assessment.settings.edition == "grundschutz++":
        source, catalog = "G0", getattr(analysis.modelling, "catalog", None)
        table = catalog.controls if catalog is not None else {}
    else:
        source, table = "KRT", kompendium.requirements
    links: dict[str, list[str]] = {}
    for item in items:
        for threat in table[item.requirement].threats if item.requirement in table else ():
            links.setdefault(threat, []).append(item.requirement)
    titles = {t: kompendium.threats[t].title if t in kompendium.threats else "" for t in links}
    return tuple(OverviewThreat(object_id, t, titles[t], source, tuple(links[t])) for t in sorted_threats(links))


# --------------------------------------------------------------------------- risks


@dataclass(frozen=True)
class Risk:
    """One threat of one object with its rating, treatment and residual risk.

    Unrated threats have ``frequency``, ``impact`` and ``category`` ``None``.
    ``residual_category`` is the category after treatment (for ``akzeptieren``
    the category itself; ``None`` where not rated). ``row``: line in risks.csv.
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

    @property
    def rated(self) -> bool:
        return self.category is not None

    @property
    def high(self) -> bool:  # category hoch or sehr hoch
        return self.category is not None and self.category >= RiskCategory.HOCH

    @property
    def untreated(self) -> bool:
        """A ``hoch``/``sehr hoch`` risk without a treatment."""
        return self.high and self.treatment is None

    @property
    def status(self) -> str:
        """``nicht bewertet``, ``unbehandelt`` (high, no treatment), ``bewertet`` or ``behandelt``."""
        if not self.rated:
            return "nicht bewertet"
        if self.treatment is not None:
            return "behandelt"
        return "unbehandelt" if self.high else "bewertet"


@dataclass(frozen=True)
class ObjectRisks:
    """The risk analysis of one object: why, and every threat of its overview."""

    flagged: FlaggedObject
    risks: tuple[Risk, ...]

    @property
    def open(self) -> tuple[Risk, ...]:  # threats not yet rated
        return tuple(r for r in self.risks if not r.rated)

    @property
    def untreated(self) -> tuple[Risk, ...]:
        return tuple(r for r in self.risks if r.untreated)

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
    def open_objects(self) -> tuple[str, ...]:
        """Objects whose analysis still has unrated threats (or no threats at all)."""
        return tuple(i for i, o in self.objects.items() if not o.complete)

    def by_category(self) -> dict[str, int]:
        return {c.value: sum(r.category is c for r in self.risks) for c in RiskCategory}


def analyse_risks(analysis, table: Table | None = None) -> RiskAnalysis:
    """The risk analysis of an :class:`~grundschutz.method.analysis.Analysis`: reads
    ``risks.csv`` (unless ``table`` is given) and the matrix of
    ``assessment.yaml``; :class:`AssessmentError` lists every problem of both::

        risks = analyse_risks(analyse("assessments/haan"))
        risks["SRV-01"].status   # 'offen: 13 von 25 Gefährdungen nicht bewertet'
        risks.untreated          # SRV-01 G 0.30 and DL-08 G 0.40
    """
    _require_catalog(analysis)
    table = table if table is not None else read_optional_table(analysis.path, "risks")
    matrix, problems = _parse_matrix(analysis.assessment.settings.risk_matrix, SETTINGS_FILE)
    flagged = flag_objects(analysis)
    rows, warnings = ({}, []) if table is None else _parse_rows(table, analysis, flagged, problems)
    if problems:
        raise AssessmentError(problems, str(analysis.path))
    by_object: dict[str, list] = {}
    for item in analysis.selection:
        by_object.setdefault(item.object, []).append(item)
    result = {}
    for object_id in analysis.modelling.objects:
        own = rows.get(object_id, {})
        if object_id in flagged:
            entry = flagged[object_id]
        elif own:
            entry = _flagged(analysis, object_id, (FlagReason("freiwillig", "freiwillige Risikoanalyse (Zeilen in "
                                                                            "risks.csv)"),))
        else:
            continue
        overview = _overview(analysis, object_id, by_object.get(object_id, ()))
        listed = {t.threat for t in overview}
        threats = [*overview, *(OverviewThreat(object_id, tid, row["title"], "ergänzt")
                                for tid, row in own.items() if tid not in listed)]
        result[object_id] = ObjectRisks(entry, tuple(_risk(t, own.get(t.threat), matrix) for t in threats))
    return RiskAnalysis(result, matrix, tuple(sorted(set(warnings), key=lambda p: (p.row or 0, p.message))),
                        str(analysis.path))


def _risk(threat: OverviewThreat, row: Mapping | None, matrix: RiskMatrix) -> Risk:
    if row is None:
        return Risk(threat.object, threat.threat, threat.title, threat.source, threat.requirements)
    frequency, impact, treatment = row["frequency"], row["impact"], row["treatment"]
    category = matrix.category(frequency, impact) if frequency and impact else None
    rf, ri = row["residual_frequency"], row["residual_impact"]
    if rf and ri:
        residual = matrix.category(rf, ri)
    elif treatment is Treatment.AKZEPTIEREN:
        rf, ri, residual = frequency, impact, category
    else:
        residual = None
    return Risk(threat.object, threat.threat, threat.title, threat.source, threat.requirements, frequency, impact,
                category, treatment, row["note"], row["accepted_by"], rf, ri, residual, row["row"])


def _parse_rows(table: Table, analysis, flagged: Mapping[str, FlaggedObject], problems: list[Problem]):
    """Validate the rows of risks.csv: ``({object: {threat: row}}, warnings)``; errors go to ``problems``."""
    file = table.file
    if not table.columns:
        problems.append(Problem(file, None, None, None, "Datei ist leer (keine Kopfzeile)"))
        return {}, []
    missing = [Problem(file, None, c, None, "Pflichtspalte fehlt") for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        problems.extend(missing)
        return {}, []
    kompendium = analysis.kompendium
    objects = analysis.modelling.objects
    warnings: list[Problem] = []
    warned: set[str] = set()
    seen: dict[tuple[str, str], int] = {}
    rows: dict[str, dict[str, dict]] = {}
    for number, raw in table.rows:
        row = {c: raw.get(c, "") for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        found = len(problems)

        def bad(column: str | None, value: str | None, message: str) -> None:
            problems.append(Problem(file, number, column, value, message))

        if "\0extra" in raw:
            bad(None, raw["\0extra"], "mehr Zellen als Spalten in der Kopfzeile")
        object_id, threat_text = row["object"], row["threat"]
        if not object_id:
            bad("object", "", "leere Objekt-ID")
        elif object_id not in objects:
            bad("object", object_id, "unbekannte Objekt-ID")
        elif object_id not in flagged and object_id not in warned:
            warned.add(object_id)
            warnings.append(Problem(file, number, "object", object_id,
                                    "Zielobjekt braucht keine Risikoanalyse (kein hoher Schutzbedarf, Baustein "
                                    "vorhanden, nicht atypisch); die Bewertung wird als freiwillige "
                                    "Risikoanalyse geführt"))
        threat_id = threat_text
        if not threat_text:
            bad("threat", "", "leere Gefährdungs-ID")
        elif _ELEMENTARY.match(threat_text):
            threat_id = normalise_threat_id(threat_text.upper()) or threat_text
            if threat_id not in kompendium.threats:
                bad("threat", threat_text, "elementare Gefährdung gibt es im Kompendium nicht (G 0.1 bis G 0.47)")
            else:
                row["title"] = kompendium.threats[threat_id].title
        elif not row["title"]:
            bad("title", "", f"eigene Gefährdung '{threat_text}' braucht einen Titel in 'title'")
        parsed = {}
        for column, scale in (("frequency", Frequency), ("impact", Impact), ("treatment", Treatment),
                              ("residual_frequency", Frequency), ("residual_impact", Impact)):
            parsed[column] = None
            if row[column]:
                try:
                    parsed[column] = scale.parse(row[column])
                except ValueError as exc:
                    bad(column, row[column], str(exc))
        rated = _pair(row, "frequency", "impact", "Häufigkeit", "Auswirkung", bad)
        residual = _pair(row, "residual_frequency", "residual_impact", "Rest-Häufigkeit", "Rest-Auswirkung", bad)
        treatment = parsed["treatment"]
        if row["treatment"] and not rated:
            bad("treatment", row["treatment"], "Behandlung ohne Bewertung: zuerst Häufigkeit und Auswirkung angeben")
        if treatment is Treatment.AKZEPTIEREN:
            if not row["note"]:
                bad("note", "", "Risikoübernahme ('akzeptieren') braucht eine Begründung in 'note'")
            if not row["accepted_by"]:
                bad("accepted_by", "", "Risikoübernahme ('akzeptieren') braucht in 'accepted_by', wer das Risiko "
                                       "übernommen hat")
        elif row["accepted_by"]:
            bad("accepted_by", row["accepted_by"], "'accepted_by' gilt nur für die Behandlung 'akzeptieren'")
        if treatment is Treatment.REDUZIEREN and not row["note"]:
            warnings.append(Problem(file, number, "note", "", "'reduzieren' sollte in 'note' die zusätzlichen "
                                                              "Maßnahmen nennen"))
        if residual and not row["treatment"]:
            bad("residual_frequency", row["residual_frequency"],
                "Restrisiko ohne Behandlung: zuerst 'treatment' angeben")
        for column, base, word in (("residual_frequency", "frequency", "Häufigkeit"),
                                   ("residual_impact", "impact", "Auswirkung")):
            if parsed[column] is not None and parsed[base] is not None and parsed[column] > parsed[base]:
                bad(column, row[column], f"Rest-{word} höher als die {word} ohne Behandlung ({parsed[base]})")
        key = (object_id, threat_id)
        if object_id and threat_text:
            if key in seen:
                bad("threat", threat_text,
                    f"doppelte Zeile für {object_id}/{threat_id} (bereits in Zeile {seen[key]})")
            else:
                seen[key] = number
        if len(problems) == found:
            rows.setdefault(object_id, {})[threat_id] = {**row, **parsed, "row": number}
    return rows, warnings


def _pair(row: Mapping[str, str], first: str, second: str, first_word: str, second_word: str, bad) -> bool:
    """Both or neither of two columns; True when both are given."""
    if row[first] and not row[second]:
        bad(second, "", f"{second_word} fehlt ({first_word} ist angegeben)")
    elif row[second] and not row[first]:
        bad(first, "", f"{first_word} fehlt ({second_word} ist angegeben)")
    return bool(row[first] and row[second])


# --------------------------------------------------------------------------- records and frames

_RISK_COLUMNS = ["object", "threat", "title", "source", "requirements", "frequency", "impact", "category",
                 "treatment", "note", "accepted_by", "residual_frequency", "residual_impact", "residual_category",
                 "status", "row"]
_SUMMARY_COLUMNS = ["object", "name", "type", "reasons", "why", "need", "threats", "rated", "open", "gering",
                    "mittel", "hoch", "sehr hoch", "untreated", "status"]


def _label(value) -> str:
    return value.label if value is not None else ""


def risk_records(risks: RiskAnalysis, object_id: str | None = None) -> list[dict[str, object]]:
    """One record per object and threat (all objects, or only ``object_id``).

    Columns: ``object, threat, title, source`` (``KRT``/``G0``/``ergänzt``),
    ``requirements`` (list), ``frequency, impact, category, treatment, note,
    accepted_by, residual_frequency, residual_impact, residual_category``
    (German words, ``""`` if not set), ``status`` (see :attr:`Risk.status`)
    and ``row`` (line in risks.csv or ``None``).
    """
    chosen = [risks[object_id]] if object_id is not None else list(risks)
    return [{c: _cell(getattr(r, c), c) for c in _RISK_COLUMNS} for o in chosen for r in o.risks]


def _cell(value: object, column: str) -> object:
    if isinstance(value, _Scale | tuple):
        return value.label if isinstance(value, _Scale) else list(value)
    return "" if value is None and column != "row" else value


def risk_frame(risks: RiskAnalysis, object_id: str | None = None):
    """:func:`risk_records` as a DataFrame; the scales are ordered categoricals.

    >>> frame = risk_frame(RiskAnalysis({}))
    >>> list(frame.columns[:4]), len(frame)
    (['object', 'threat', 'title', 'source'], 0)
    """
    import pandas as pd

    frame = pd.DataFrame.from_records(risk_records(risks, object_id), columns=_RISK_COLUMNS)
    for columns, scale in ((("frequency", "residual_frequency"), Frequency), (("impact", "residual_impact"), Impact),
                           (("category", "residual_category"), RiskCategory), (("treatment",), Treatment)):
        dtype = pd.CategoricalDtype([m.value for m in scale], ordered=True)
        for column in columns:
            frame[column] = frame[column].replace("", None).astype(dtype)
    return frame


def threat_overview_records(risks: RiskAnalysis, object_id: str | None = None) -> list[dict[str, object]]:
    """The threat overview: per object and threat ``object, threat, title, source,
    requirements`` (list) and ``rated`` (bool)."""
    return [{**{k: r[k] for k in _RISK_COLUMNS[:5]}, "rated": bool(r["category"])}
            for r in risk_records(risks, object_id)]


def threat_overview_frame(risks: RiskAnalysis, object_id: str | None = None):
    """:func:`threat_overview_records` as a DataFrame."""
    import pandas as pd

    return pd.DataFrame.from_records(threat_overview_records(risks, object_id), columns=[*_RISK_COLUMNS[:5], "rated"])


def risk_summary_records(risks: RiskAnalysis) -> list[dict[str, object]]:
    """Per object: why flagged, threats rated/open, risks by category, untreated high risks.

    Columns: ``object, name, type, reasons`` (kinds, list), ``why`` (German),
    ``need`` (highest need), ``threats, rated, open``, one count per category
    ``gering, mittel, hoch, sehr hoch``, ``untreated`` and ``status``.
    """
    records = []
    for o in risks:
        f = o.flagged
        records.append({"object": f.object, "name": f.name, "type": f.type, "reasons": list(f.kinds), "why": f.why,
                        "need": _label(f.highest), "threats": len(o.risks), "rated": len(o.risks) - len(o.open),
                        "open": len(o.open), **o.by_category(), "untreated": len(o.untreated), "status": o.status})
    return records


def risk_summary_frame(risks: RiskAnalysis):
    """:func:`risk_summary_records` as a DataFrame indexed by object."""
    import pandas as pd

    return pd.DataFrame.from_records(risk_summary_records(risks), columns=_SUMMARY_COLUMNS).set_index("object")


def _show(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)
