"""IT-Grundschutz-Check: the implementation status of every selected requirement.

The rows of ``check.csv`` (read and checked by :mod:`grundschutz.io.records`)
meet the requirement selection here: :func:`build_check` gives one
:class:`CheckEntry` per selected requirement (``unbearbeitet`` where no row
says otherwise) and reports every row whose requirement does not exist, is
ENTFALLEN or is not selected for its object. :func:`check_coverage` counts
the statuses per object, Baustein and level and gives the share
implemented, ``(ja + entbehrlich) / total``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from grundschutz.catalog import Kompendium
from grundschutz.method.selection import RequirementSelection, cia_letters
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem
from grundschutz.model.ids import normalise_requirement_id
from grundschutz.model.levels import BasicValue
from grundschutz.model.records import STATUSES, CheckRecord, Status

COVERAGE_KEYS = ("object", "baustein", "level")


@dataclass(frozen=True, slots=True)
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
    _index: Mapping[tuple[str, str], CheckEntry] | None = field(init=False, repr=False, compare=False, default=None)

    def __iter__(self) -> Iterator[CheckEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, object_id: str, requirement_id: str) -> CheckEntry:
        """The entry of a selected requirement; :class:`GrundschutzError` if not selected."""
        key = (object_id, normalise_requirement_id(requirement_id))
        if self._index is None:  # built on first use: a large check is often only iterated
            object.__setattr__(self, "_index", {(e.object, e.requirement): e for e in self.entries})
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


#: Checks the requirement of a row against the catalog and the selection:
#: ``(requirement id, object id) -> problem or None``.
RequirementCheck = Callable[[str, str], str | None]


def kompendium_requirement_check(selection: RequirementSelection, kompendium: Kompendium) -> RequirementCheck:
    """The :data:`RequirementCheck` of the Kompendium: the requirement exists, is not ENTFALLEN, is selected."""

    def check(requirement_id: str, object_id: str) -> str | None:
        if requirement_id not in kompendium.requirements:
            hint = " (das ist ein Baustein, keine Anforderung)" if requirement_id in kompendium.bausteine else ""
            return f"Anforderung gibt es im Kompendium nicht{hint}"
        if kompendium.requirements[requirement_id].withdrawn:
            return "Anforderung ist ENTFALLEN und kann nicht geprüft werden"
        if selection.get(object_id, requirement_id) is None:
            why = not_selected_reason(selection, object_id, requirement_id, kompendium)
            return f"Anforderung ist für {object_id} nicht ausgewählt ({why})"
        return None

    return check


def build_check(
    selection: RequirementSelection,
    records: Iterable[CheckRecord],
    requirement: RequirementCheck,
    source: str = "",
    carried: frozenset[str] = frozenset(),
) -> Check:
    """One entry per selected requirement, with the status of its row in ``records``.

    Every row whose requirement fails ``requirement`` (:data:`RequirementCheck`)
    is reported (:class:`AssessmentError` with file, row, column and value),
    except rows from the files in ``carried``: a scenario carries the rows of
    the baseline's ``check.csv`` over where their requirement is still
    selected and drops the others. A later row for the same object and
    requirement wins (a scenario's own rows over the baseline's).
    """
    problems: list[Problem] = []
    rows: dict[tuple[str, str], CheckRecord] = {}
    for record in records:
        if record.object not in selection.modelling.objects:
            if record.file not in carried:
                problems.append(Problem(record.file, record.row, "object", record.object, "unbekannte Objekt-ID"))
            continue
        problem = requirement(record.requirement, record.object)
        if problem is not None:
            if record.file not in carried:
                problems.append(Problem(record.file, record.row, "requirement", record.written or record.requirement,
                                        problem))
            continue
        rows[(record.object, record.requirement)] = record
    if problems:
        raise AssessmentError(problems, source)
    entries = []
    for item in selection:
        row = rows.get((item.object, item.requirement))
        if row is None:
            entries.append(CheckEntry(item.object, item.baustein, item.requirement, item.level, item.title))
        else:
            entries.append(CheckEntry(item.object, item.baustein, item.requirement, item.level, item.title,
                                      row.status, row.note, row.responsible, row.due, row.checked_on, row.row))
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

