"""Reader for the Kreuzreferenztabellen (KRT) of the Kompendium Edition 2023.

The official workbook ``krt2023_Excel.xlsx`` has one sheet per Baustein
(``KRT_APP.1.1.xlsx``). Row 1 is ``<Baustein-ID> | Name | CIA | G 0.a | G 0.b | …``
(only the threats relevant to that Baustein, so columns differ per sheet);
every further row is ``<Anforderungs-ID> | Titel | CIA letters or empty | X or empty …``.

Quirks handled: IDs with trailing spaces, a cell holding a single space
(treated as empty), trailing empty header columns, trailing empty rows.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from dataclasses import dataclass, replace

from grundschutz.catalog._common import (
    UnknownIdError,
    is_requirement_id,
    normalise_requirement_id,
    normalise_threat_id,
    read_bytes,
    sorted_threats,
)
from grundschutz.catalog.kompendium import Kompendium
from grundschutz.model.errors import CatalogError
from grundschutz.model.library_errors import workbook_reason

#: The letters used in the KRT's CIA column and the basic values they stand for.
CIA_BASIC_VALUES: dict[str, str] = {
    "C": "confidentiality",
    "I": "integrity",
    "A": "availability",
}


@dataclass(frozen=True)
class CrossReference:
    """The content of the Kreuzreferenztabellen, keyed by requirement id.

    - ``requirement_ids``: every requirement row, in workbook order;
    - ``titles``: the requirement title as written in the KRT (may differ
      slightly from the XML; use the Kompendium's titles);
    - ``cia``: the CIA letters per requirement (empty frozenset if none);
    - ``threats``: the linked elementary threats per requirement (``"G 0.n"``,
      sorted numerically; empty tuple if none);
    - ``baustein_threats``: per Baustein the threat columns of its sheet.

    The dicts must be treated as read-only.
    """

    requirement_ids: tuple[str, ...]
    titles: dict[str, str]
    cia: dict[str, frozenset[str]]
    threats: dict[str, tuple[str, ...]]
    baustein_threats: dict[str, tuple[str, ...]]

    @property
    def link_count(self) -> int:
        """Number of requirement -> threat marks (``X`` cells)."""
        return sum(len(links) for links in self.threats.values())

    def cia_of(self, requirement_id: str) -> frozenset[str]:
        """Return the CIA letters of a requirement; :class:`UnknownIdError` if not in the KRT."""
        key = normalise_requirement_id(requirement_id)
        if key not in self.cia:
            raise UnknownIdError(f"Anforderung '{requirement_id}' steht nicht in der KRT")
        return self.cia[key]

    def threats_of(self, requirement_id: str) -> tuple[str, ...]:
        """Return the threat ids linked to a requirement; :class:`UnknownIdError` if unknown."""
        key = normalise_requirement_id(requirement_id)
        if key not in self.threats:
            raise UnknownIdError(f"Anforderung '{requirement_id}' steht nicht in der KRT")
        return self.threats[key]


def read_krt(path: str | os.PathLike[str]) -> CrossReference:
    """Read the KRT workbook (``krt2023_Excel.xlsx``) at ``path``.

    Raises :class:`~grundschutz.model.errors.CatalogError` naming the path if the
    file is missing, not an ``.xlsx`` workbook or not laid out as a KRT.
    """
    data = read_bytes(path, "KRT-Arbeitsmappe")
    return parse_krt(data, source=str(path))


def parse_krt(data: bytes, source: str = "<bytes>") -> CrossReference:
    """Parse the KRT workbook given as bytes (``.xlsx``); ``source`` names it in errors."""
    import openpyxl  # imported lazily: openpyxl is slow to import
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # The re-saved workbook has a header/footer openpyxl cannot parse.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = [(ws.title, list(ws.iter_rows(values_only=True))) for ws in workbook.worksheets]
            finally:
                workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise CatalogError(f"{source}: Arbeitsmappe nicht lesbar: {workbook_reason(exc)}") from exc

    requirement_ids: list[str] = []
    titles: dict[str, str] = {}
    cia: dict[str, frozenset[str]] = {}
    threats: dict[str, tuple[str, ...]] = {}
    baustein_threats: dict[str, tuple[str, ...]] = {}
    for sheet_title, rows in sheets:
        if not sheet_title.startswith("KRT_"):
            continue
        baustein_id, columns = _parse_header(rows, sheet_title, source)
        if baustein_id in baustein_threats:
            raise CatalogError(f"{source}: Baustein {baustein_id} hat zwei KRT-Blätter")
        baustein_threats[baustein_id] = sorted_threats(g for g in columns if g is not None)
        for number, row in enumerate(rows[1:], 2):
            where = f"{source}, Blatt {sheet_title}, Zeile {number}"
            if all(_cell(v) == "" for v in row):
                continue
            requirement_id = normalise_requirement_id(_cell(row[0]))
            if not is_requirement_id(requirement_id) or not requirement_id.startswith(
                baustein_id + ".A"
            ):
                raise CatalogError(f"{where}: {_cell(row[0])!r} ist keine Anforderung von {baustein_id}")
            if requirement_id in cia:
                raise CatalogError(f"{where}: Anforderung {requirement_id} kommt doppelt vor")
            letters = _cell(row[2]) if len(row) > 2 else ""
            if any(letter not in CIA_BASIC_VALUES for letter in letters):
                raise CatalogError(f"{where}: unerwarteter CIA-Wert {letters!r}")
            links = []
            for column, value in enumerate(row[3:], 3):
                mark = _cell(value)
                if mark == "":
                    continue
                threat = columns[column - 3] if column - 3 < len(columns) else None
                if mark.upper() != "X" or threat is None:
                    raise CatalogError(
                        f"{where}, Spalte {column + 1}: unerwarteter Eintrag {mark!r} "
                        "(erwartet 'X' unter einer Spalte 'G 0.n')"
                    )
                links.append(threat)
            requirement_ids.append(requirement_id)
            titles[requirement_id] = _cell(row[1]) if len(row) > 1 else ""
            cia[requirement_id] = frozenset(letters)
            threats[requirement_id] = sorted_threats(links)
    if not baustein_threats:
        raise CatalogError(f"{source}: keine Blätter 'KRT_<Baustein>' – ist das die KRT-Arbeitsmappe?")
    return CrossReference(tuple(requirement_ids), titles, cia, threats, baustein_threats)


def apply_cross_reference(
    kompendium: Kompendium, krt: CrossReference, *, strict: bool = True
) -> Kompendium:
    """Return a new Kompendium whose requirements carry the KRT's ``cia`` and ``threats``
    and whose Bausteine carry the threat columns of their sheet (``elementary_threats``).

    Pure function: the input is not changed. With ``strict=True`` (default)
    the requirement ids of both must be identical and every linked threat must
    be an elementary threat of the Kompendium; otherwise
    :class:`~grundschutz.model.errors.CatalogError` lists the differences. With
    ``strict=False`` requirements missing from the KRT keep empty values and
    KRT rows unknown to the Kompendium are ignored.
    """
    if strict:
        only_kompendium = sorted(set(kompendium.requirements) - set(krt.cia))
        only_krt = sorted(set(krt.cia) - set(kompendium.requirements))
        unknown_threats = sorted(
            {t for links in krt.threats.values() for t in links} - set(kompendium.threats)
        )
        problems = []
        if only_kompendium:
            problems.append(f"nur im Kompendium: {', '.join(only_kompendium[:10])}")
        if only_krt:
            problems.append(f"nur in der KRT: {', '.join(only_krt[:10])}")
        if unknown_threats:
            problems.append(f"unbekannte Gefährdungen: {', '.join(unknown_threats)}")
        if problems:
            raise CatalogError("KRT passt nicht zum Kompendium: " + "; ".join(problems))
    requirements = {
        rid: (
            replace(req, cia=krt.cia[rid], threats=krt.threats[rid]) if rid in krt.cia else req
        )
        for rid, req in kompendium.requirements.items()
    }
    bausteine = {
        bid: replace(b, elementary_threats=krt.baustein_threats[bid]) if bid in krt.baustein_threats else b
        for bid, b in kompendium.bausteine.items()
    }
    return replace(kompendium, requirements=requirements, bausteine=bausteine, cross_reference_applied=True)


def _cell(value: object) -> str:
    """A cell as stripped text; ``None`` and blanks become ``''``."""
    if value is None:
        return ""
    return str(value).strip()


def _parse_header(
    rows: list[tuple], sheet_title: str, source: str
) -> tuple[str, list[str | None]]:
    """Return the Baustein id and the threat id per column from column D on."""
    if not rows or len(rows[0]) < 3:
        raise CatalogError(f"{source}, Blatt {sheet_title}: Kopfzeile fehlt")
    header = [_cell(v) for v in rows[0]]
    baustein_id = header[0]
    if sheet_title != f"KRT_{baustein_id}.xlsx" or header[2].upper() != "CIA":
        raise CatalogError(
            f"{source}, Blatt {sheet_title}: Kopfzeile {header[:3]!r} entspricht nicht "
            "'<Baustein> | Name | CIA | G 0.n …'"
        )
    columns: list[str | None] = []
    for column, text in enumerate(header[3:], 4):
        if text == "":
            columns.append(None)  # trailing empty columns in some sheets
            continue
        threat = normalise_threat_id(text)
        if threat is None or threat in columns:
            raise CatalogError(
                f"{source}, Blatt {sheet_title}, Spalte {column}: unerwarteter Spaltenkopf {text!r}"
            )
        columns.append(threat)
    return baustein_id, columns
