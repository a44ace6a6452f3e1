"""IT-Grundschutz-Check: the implementation status of every selected requirement.

``check.csv`` (or the sheet ``check`` of ``assessment.xlsx``) has the columns
``object,requirement,status,note,responsible,due,checked_on``. Status is one
of ``ja``, ``teilweise``, ``nein``, ``entbehrlich`` (needs a reason in
``note``) or ``unbearbeitet``; every selected requirement that is not listed
is ``unbearbeitet``. The file is optional and checked in full: every problem
is reported at once with file, row, column and value.

:func:`check_coverage` counts the statuses per object, Baustein and level and
gives the share implemented, ``(ja + entbehrlich) / total``.

>>> parse_date("31.12.2024"), parse_date("2024-12-31")
(datetime.date(2024, 12, 31), datetime.date(2024, 12, 31))
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from grundschutz.catalog import Kompendium, normalise_requirement_id
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem
from grundschutz.io.inventory import Table
from grundschutz.model.assessment import BasicValue
from grundschutz.method.modelling import RequirementSelection, cia_letters, read_optional_table

CHECK_FILE = "check.csv"
REQUIRED_COLUMNS = ("object", "requirement", "status")
OPTIONAL_COLUMNS = ("note", "responsible", "due", "checked_on")
COVERAGE_KEYS = ("object", "baustein", "level")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


class Status(str, enum.Enum):
    """Implementation status of a requirement (Umsetzungsstatus)."""

    JA = "ja"
    TEILWEISE = "teilweise"
    NEIN = "nein"
    ENTBEHRLICH = "entbehrlich"
    UNBEARBEITET = "unbearbeitet"

    @classmethod
    def parse(cls, text: str) -> Status:
        """Read a status in any case; an empty cell is ``unbearbeitet``.

        >>> Status.parse(" Ja "), Status.parse("")
        (<Status.JA: 'ja'>, <Status.UNBEARBEITET: 'unbearbeitet'>)
        """
        key = text.strip().lower() or cls.UNBEARBEITET.value
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(f"unbekannter Status (erlaubt: {allowed})") from None

    @property
    def implemented(self) -> bool:
        """True for ``ja`` and ``entbehrlich`` (counts as implemented)."""
        return self in (Status.JA, Status.ENTBEHRLICH)

    def __str__(self) -> str:
        return self.value


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)


def parse_date(text: str) -> date:
    """Read a date as ISO ``2024-03-15`` or German ``15.03.2024``.

    >>> parse_date("31.02.2024")
    Traceback (most recent call last):
    ...
    ValueError: ungültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)
    """
    text = text.strip()
    match = _ISO_DATE.match(text)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None and (match := _GERMAN_DATE.match(text)):
        parts = (match.group(3), match.group(2), match.group(1))
    try:
        if parts is None:
            raise ValueError
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError("ungültiges Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ)") from None


@dataclass(frozen=True)
class CheckEntry:
    """The check result of one selected requirement of one object.

    ``row`` is the row in ``check.csv``; ``None`` for a requirement that is
    not listed there (status ``unbearbeitet``).
    """

    object: str
    baustein: str
    requirement: str
    level: str
    title: str
    status: Status = Status.UNBEARBEITET
    note: str = ""
    responsible: str = ""
    due: date | None = None
    checked_on: date | None = None
    row: int | None = None


@dataclass(frozen=True)
class Check:
    """The IT-Grundschutz-Check: one entry per selected requirement, in selection order."""

    selection: RequirementSelection
    entries: tuple[CheckEntry, ...]
    source: str = ""
    _index: Mapping[tuple[str, str], CheckEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(e.object, e.requirement): e for e in self.entries})

    def __iter__(self) -> Iterator[CheckEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, object_id: str, requirement_id: str) -> CheckEntry:
        """The entry of a selected requirement; :class:`GrundschutzError` if not selected."""
        key = (object_id, normalise_requirement_id(requirement_id))
        if key not in self._index:
            raise GrundschutzError(f"Anforderung {key[1]} ist für {object_id} nicht ausgewählt")
        return self._index[key]

    def for_object(self, object_id: str) -> tuple[CheckEntry, ...]:
        return tuple(e for e in self.entries if e.object == object_id)

    def counts(self) -> dict[str, int]:
        """Number of entries per status."""
        return {s.value: sum(e.status is s for e in self.entries) for s in Status}


def not_selected_reason(
    selection: RequirementSelection, object_id: str, requirement_id: str, kompendium: Kompendium
) -> str:
    """Why a requirement of the Kompendium is not selected for an object (German).

    ``requirement_id`` must be a normalised id of the Kompendium.
    """
    req = kompendium.requirements[requirement_id]
    if req.withdrawn:
        return "Anforderung ist ENTFALLEN"
    if req.baustein not in selection.modelling[object_id].bausteine:
        return f"Baustein {req.baustein} ist {object_id} nicht zugeordnet"
    if req.level == "S" or selection.variant == "basis":
        word = {"B": "Basis", "S": "Standard", "H": "H"}[req.level]
        return f"{word}-Anforderung in Variante '{selection.variant}' nicht ausgewählt"
    for item in selection.undecided:
        if item.object == object_id and item.requirement == requirement_id:
            return item.reason
    needs = selection.needs.get(object_id, {})
    letters = cia_letters(req.cia)
    values = [BasicValue.parse(letter) for letter in letters]
    shown = ", ".join(f"{v.label} {needs[v].label}" for v in values if needs.get(v) is not None)
    return f"H-Anforderung (CIA: {letters or '-'}) nicht ausgewählt, Schutzbedarf {shown or 'nicht hoch'}"


def read_check(assessment_dir: str | Path, selection: RequirementSelection, kompendium: Kompendium) -> Check:
    """Read ``check.csv`` of an assessment (optional: absent = all ``unbearbeitet``).

    Raises :class:`AssessmentError` listing every problem: unknown object or
    requirement, requirement not selected for that object, ENTFALLEN
    requirement, invalid status, ``entbehrlich`` without reason, invalid
    date, duplicate row.
    """
    table = read_optional_table(assessment_dir, "check")
    if table is None:
        return build_check(selection, {}, str(assessment_dir))
    return parse_check(table, selection, kompendium, str(assessment_dir))


#: Checks a cell of the column ``requirement``: ``(cell, object id or None if
#: the row's object is unknown) -> (cell as shown, requirement id, problem or None)``.
RequirementCheck = Callable[[str, str | None], tuple[str, str, str | None]]


def parse_check(table: Table, selection: RequirementSelection, kompendium: Kompendium, source: str = "") -> Check:
    """Check the rows of a ``check.csv`` table against a selection (pure)."""

    def requirement(cell: str, object_id: str | None) -> tuple[str, str, str | None]:
        requirement_id = normalise_requirement_id(cell)
        if not cell:
            return cell, requirement_id, "leere Anforderungs-ID"
        if requirement_id not in kompendium.requirements:
            hint = " (das ist ein Baustein, keine Anforderung)" if cell in kompendium.bausteine else ""
            return cell, requirement_id, f"Anforderung gibt es im Kompendium nicht{hint}"
        if kompendium.requirements[requirement_id].withdrawn:
            return cell, requirement_id, "Anforderung ist ENTFALLEN und kann nicht geprüft werden"
        if object_id is not None and selection.get(object_id, requirement_id) is None:
            why = not_selected_reason(selection, object_id, requirement_id, kompendium)
            return cell, requirement_id, f"Anforderung ist für {object_id} nicht ausgewählt ({why})"
        return cell, requirement_id, None

    return parse_check_rows(table, selection, requirement, source)


def parse_check_rows(
    table: Table, selection: RequirementSelection, requirement: RequirementCheck, source: str = ""
) -> Check:
    """Check the rows of a ``check.csv`` table against a selection (pure), for either edition.

    ``requirement`` validates the requirement ids (:data:`RequirementCheck`):
    its problem is reported with the cell as shown, the id it returns is the
    row's key; a row whose shown cell is empty is not checked for duplicates.
    Everything else (columns, objects, status, dates, duplicate rows) is
    checked here. Raises :class:`AssessmentError` listing every problem.
    """
    file = table.file
    if not table.columns:
        raise AssessmentError([Problem(file, None, None, None, "Datei ist leer (keine Kopfzeile)")], source)
    problems = [Problem(file, None, c, None, "Pflichtspalte fehlt") for c in REQUIRED_COLUMNS if c not in table.columns]
    if problems:
        raise AssessmentError(problems, source)
    objects = selection.modelling.objects
    seen: dict[tuple[str, str], int] = {}
    rows: dict[tuple[str, str], tuple[int, dict]] = {}
    for number, row in table.rows:
        found = len(problems)

        def bad(column: str | None, value: str | None, message: str) -> None:
            problems.append(Problem(file, number, column, value, message))

        if "\0extra" in row:
            bad(None, row["\0extra"], "mehr Zellen als Spalten in der Kopfzeile")
        object_id = row["object"]
        if not object_id or object_id not in objects:
            bad("object", object_id, "unbekannte Objekt-ID" if object_id else "leere Objekt-ID")
        shown, requirement_id, problem = requirement(row["requirement"], object_id if object_id in objects else None)
        if problem is not None:
            bad("requirement", shown, problem)
        status = None
        try:
            status = Status.parse(row["status"])
        except ValueError as exc:
            bad("status", row["status"], str(exc))
        if status is Status.ENTBEHRLICH and not row.get("note"):
            bad("note", "", "Status 'entbehrlich' braucht eine Begründung in 'note'")
        dates = {}
        for column in ("due", "checked_on"):
            if row.get(column):
                try:
                    dates[column] = parse_date(row[column])
                except ValueError as exc:
                    bad(column, row[column], str(exc))
        key = (object_id, requirement_id)
        if object_id and shown and key in seen:
            bad("requirement", shown,
                f"doppelte Zeile für {object_id}/{requirement_id} (bereits in Zeile {seen[key]})")
        elif object_id and shown:
            seen[key] = number
        if len(problems) == found:
            rows[key] = (number, {**row, "status": status, **dates})
    if problems:
        raise AssessmentError(problems, source)
    return build_check(selection, rows, source)


def build_check(
    selection: RequirementSelection, rows: Mapping[tuple[str, str], tuple[int, Mapping]], source: str = ""
) -> Check:
    """One entry per selected requirement; ``rows`` maps (object, requirement) to
    (row number, validated row with ``status`` and dates as objects)."""
    entries = []
    for item in selection:
        number, row = rows.get((item.object, item.requirement), (None, None))
        base = dict(object=item.object, baustein=item.baustein, requirement=item.requirement, level=item.level,
                    title=item.title)
        if row is None:
            entries.append(CheckEntry(**base))
        else:
            entries.append(CheckEntry(**base, status=row["status"], note=row.get("note", ""),
                                      responsible=row.get("responsible", ""), due=row.get("due"),
                                      checked_on=row.get("checked_on"), row=number))
    return Check(selection, tuple(entries), source)


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class CoverageRow:
    """Status counts of one group; ``object``/``baustein``/``level`` are ``None``
    where the grouping does not split by them.

    >>> row = CoverageRow(None, None, "B", ja=3, teilweise=1, entbehrlich=1, unbearbeitet=5)
    >>> row.total, row.implemented, row.percent
    (10, 4, 40.0)
    """

    object: str | None
    baustein: str | None
    level: str | None
    ja: int = 0
    teilweise: int = 0
    nein: int = 0
    entbehrlich: int = 0
    unbearbeitet: int = 0

    @property
    def total(self) -> int:
        return self.ja + self.teilweise + self.nein + self.entbehrlich + self.unbearbeitet

    @property
    def implemented(self) -> int:
        """``ja`` + ``entbehrlich``."""
        return self.ja + self.entbehrlich

    @property
    def percent(self) -> float | None:
        """Share implemented in percent (``None`` for an empty group)."""
        return 100.0 * self.implemented / self.total if self.total else None


#: Order of requirement levels: Kompendium B, S, H; Grundschutz++ normal-SdT, erhöht.
LEVEL_ORDER = {"B": 0, "S": 1, "H": 2, "normal-SdT": 3, "erhöht": 4}


def check_coverage(check: Check, by: Sequence[str] = ("object",)) -> tuple[CoverageRow, ...]:
    """Count the statuses of ``check`` grouped by any of ``object``, ``baustein``, ``level``.

    ``by=()`` gives one row for everything. Groups come in order of first
    appearance (objects in modelling order, Bausteine in Kompendium order
    within an object), levels as B, S, H.
    """
    unknown = [key for key in by if key not in COVERAGE_KEYS]
    if unknown or len(set(by)) != len(by):
        raise GrundschutzError(f"unbekannte Gruppierung {list(by)} (erlaubt: {', '.join(COVERAGE_KEYS)})")
    groups: dict[tuple, dict[str, int]] = {}
    for entry in check.entries:
        key = tuple(getattr(entry, k) if k in by else None for k in COVERAGE_KEYS)
        counts = groups.setdefault(key, dict.fromkeys(STATUSES, 0))
        counts[entry.status.value] += 1
    keys = list(groups)
    if "level" in by:  # B, S, H within each (object, Baustein) group, groups in order of appearance
        first: dict[tuple, int] = {}
        for i, key in enumerate(keys):
            first.setdefault(key[:2], i)
        keys.sort(key=lambda k: (first[k[:2]], LEVEL_ORDER.get(k[2], len(LEVEL_ORDER))))
    if not by and not groups:
        return (CoverageRow(None, None, None),)
    return tuple(CoverageRow(*key, **groups[key]) for key in keys)

