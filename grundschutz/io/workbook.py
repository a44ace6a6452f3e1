"""Reading ``.xlsx`` workbooks: values fast, formulas and errors noticed, hostile files refused.

:func:`open_workbook` reads a workbook in three steps:

1. **Limits, from the zip directory, before anything is unpacked**: the
   declared unpacked size of the parts to be read (the sheets asked for, the
   shared strings, styles and the workbook part) must stay within
   :attr:`WorkbookLimits.unpacked_bytes`; a sheet whose ``<dimension>``
   declares more rows or cells than the limits is refused too.
2. **One streaming pass over each sheet's XML** (never the whole file in
   memory): it unpacks the part in chunks, counting the bytes actually
   unpacked (a zip bomb that lies about its size is stopped at the limit) and
   the rows, and finds the cells that hold a formula (``<f>``) or an error
   value (``t="e"``), with the formula's text and whether a value was stored
   with it.
3. **The values** with python-calamine (the stored value of a formula cell;
   an error cell reads as empty, which is why step 2 finds them).

Every problem is a :class:`~grundschutz.model.errors.AssessmentError` in
German naming the file (and the limit that was exceeded).

:func:`read_workbook_tables` reads an assessment workbook (``assessment.xlsx``)
into tables: a formula without a stored value is an error, since reading it as
empty would silently turn an assessed need into "nicht bewertet".
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grundschutz.io.text import Table, _table_from_records, file_problem
from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.library_errors import workbook_reason

FORMULA_WITHOUT_VALUE = ("Formel ohne gespeicherten Wert: die Arbeitsmappe in Excel oder LibreOffice öffnen und "
                         "speichern, damit die Werte gespeichert werden, oder den Wert eintragen")
ERROR_VALUE = "Fehlerwert statt Wert"
#: Environment variable that raises (or lowers) the unpacked-size limit, in MB.
LIMIT_VARIABLE = "GRUNDSCHUTZ_MAX_WORKBOOK_MB"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CHUNK = 1 << 20
_OVERLAP = 1 << 16  # bytes kept from one chunk to the next: a formula cell's start tag and formula
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_ERROR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bt=[\"']e[\"'][^>]*>")
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_REF = re.compile(rb"\br=[\"']([A-Z]{1,3})([0-9]{1,7})[\"']")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=[\"']([A-Z]{0,3})([0-9]*):?([A-Z]{0,3})([0-9]*)[\"']")
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>([^<]*)<")
_ENTITIES = {b"&lt;": b"<", b"&gt;": b">", b"&quot;": b'"', b"&apos;": b"'"}


@dataclass(frozen=True)
class WorkbookLimits:
    """How much of a workbook is read at most (see the module docstring).

    The defaults fit an assessment of 10,000 Zielobjekte (its exported sheets
    hold about a million rows and unpack to some 700 MB, of which the import
    reads about 350 MB) with room to spare; ``GRUNDSCHUTZ_MAX_WORKBOOK_MB``
    sets another size limit.
    """

    unpacked_bytes: int = 1024 * 1024 * 1024
    rows: int = 5_000_000
    cells: int = 60_000_000

    @classmethod
    def from_environment(cls) -> WorkbookLimits:
        """The default limits, with the size limit from ``GRUNDSCHUTZ_MAX_WORKBOOK_MB`` if set."""
        value = os.environ.get(LIMIT_VARIABLE, "").strip()
        if value.isdigit() and int(value) > 0:
            return cls(unpacked_bytes=int(value) * 1024 * 1024)
        return cls()


@dataclass(frozen=True)
class Special:
    """A cell that holds a formula (``kind`` ``"f"``, ``text`` the formula with ``=``) or an error
    value (``"e"``, ``text`` the error); ``stored`` whether a value was saved with the formula."""

    kind: str
    text: str
    stored: bool = True


@dataclass
class WorkbookSheet:
    """A sheet as read: its title, whether it is hidden, its rows (lists of values, row 1 first,
    column A first) and its special cells by (row number, column index)."""

    title: str
    hidden: bool
    rows: list[list[object]] = field(default_factory=list)
    special: dict[tuple[int, int], Special] = field(default_factory=dict)


@dataclass
class Workbook:
    """The sheets of a workbook (titles in workbook order, hidden ones too) and those read."""

    path: Path
    titles: list[str]
    hidden: set[str]
    sheets: dict[str, WorkbookSheet]


def _refuse(label: str, message: str) -> AssessmentError:
    return AssessmentError([file_problem(label, message)], label)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB".replace(",", ".")


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class _Budget:
    """What is left of the limits while a workbook is read."""

    def __init__(self, limits: WorkbookLimits) -> None:
        self.limits = limits
        self.bytes = limits.unpacked_bytes
        self.rows = limits.rows
        self.cells = limits.cells

    def too_large(self, label: str) -> AssessmentError:
        return _refuse(label, f"Arbeitsmappe zu groß: entpackt mehr als {_mb(self.limits.unpacked_bytes)} "
                              f"(Grenze; {LIMIT_VARIABLE} setzt eine andere)")

    def take_rows(self, label: str, rows: int, width: int = 1) -> None:
        if rows > self.rows:
            raise _refuse(label, f"Arbeitsmappe zu groß: mehr als {_number(self.limits.rows)} Zeilen (Grenze)")
        if rows * width > self.cells:
            raise _refuse(label, f"Arbeitsmappe zu groß: mehr als {_number(self.limits.cells)} Zellen (Grenze)")


def open_workbook(path: str | os.PathLike[str], sheets: Sequence[str] | Callable[[str], bool] | None = None, *,
                  limits: WorkbookLimits | None = None, label: str | None = None) -> Workbook:
    """Read the sheets ``sheets`` (titles, or a test of a title; ``None``: all) of the workbook at ``path``.

    Titles asked for that the workbook does not have are left out (the caller
    names them). ``label`` names the file in messages (default its name).
    """
    path = Path(path)
    label = label or path.name
    limits = limits or WorkbookLimits.from_environment()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(label, f"Arbeitsmappe nicht lesbar: {workbook_reason(exc)}") from None
    with archive:
        parts = _sheet_parts(archive, label)
        hidden = {title for title, (_, state) in parts.items() if state != "visible"}
        if callable(sheets):
            wanted = [t for t in parts if sheets(t)]
        else:
            wanted = [t for t in (parts if sheets is None else sheets) if t in parts]
        names = {info.filename: info for info in archive.infolist()}
        for title in wanted:
            if parts[title][0] not in names:
                raise _refuse(label, f"Arbeitsmappe beschädigt: Blatt '{title}' fehlt im Archiv ({parts[title][0]})")
        others = [n for n in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml") if n in names]
        declared = sum(names[n].file_size for n in [parts[t][0] for t in wanted] + others)
        if declared > limits.unpacked_bytes:
            raise _refuse(label, f"Arbeitsmappe zu groß: die zu lesenden Teile sind entpackt {_mb(declared)} groß, "
                                 f"erlaubt sind {_mb(limits.unpacked_bytes)} ({LIMIT_VARIABLE} setzt eine andere "
                                 "Grenze)")
        budget = _Budget(limits)
        for name in others:  # shared strings, styles: their actual unpacked size is counted too
            for _ in _chunks(archive, names[name], budget, label):
                pass
        result = Workbook(path, list(parts), hidden, {})
        for title in wanted:
            special = _scan(archive, names[parts[title][0]], budget, f"{label}[{title}]")
            result.sheets[title] = WorkbookSheet(title, title in hidden, special=special)
    _read_values(path, result, label)
    return result


def _sheet_parts(archive: zipfile.ZipFile, label: str) -> dict[str, tuple[str, str]]:
    """Sheet title -> (part name in the archive, state) from ``xl/workbook.xml`` and its relations."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception as exc:  # noqa: BLE001 - missing part, broken XML, entities: all mean "no workbook"
        raise _refuse(label, f"Arbeitsmappe nicht lesbar: keine Excel-Arbeitsmappe ({type(exc).__name__})") from None
    targets = {}
    for rel in rels.iter(f"{{{_PACKAGE_REL}}}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    parts = {}
    for sheet in root.iter(f"{{{_MAIN}}}sheet"):
        part = targets.get(sheet.get(f"{{{_REL}}}id"))
        if part is not None and sheet.get("name") is not None:
            parts[sheet.get("name")] = (part, sheet.get("state", "visible"))
    return parts


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, label: str) -> Iterator[bytes]:
    """The unpacked bytes of ``info`` in chunks, counted against what is left of the size limit
    and against the size the zip directory declares (a part that unpacks to more is refused)."""
    probe = copy.copy(info)
    probe.file_size = min(info.file_size, budget.bytes) + 1  # zipfile stops unpacking there
    probe.CRC = None  # checked here, after the size: a part that lies about its size is named as such
    total, crc = 0, 0
    try:
        with archive.open(probe) as stream:
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if total > budget.bytes:
                    raise budget.too_large(label)
                if total > info.file_size:
                    raise _refuse(label, f"Arbeitsmappe beschädigt: {info.filename} ist entpackt größer als angegeben")
                crc = zlib.crc32(chunk, crc)
                yield chunk
    except zipfile.BadZipFile as exc:
        raise _refuse(label, f"Arbeitsmappe beschädigt: {exc}") from None
    except (OSError, EOFError, RuntimeError, NotImplementedError, zlib.error) as exc:  # zlib errors, encryption
        raise _refuse(label, f"Arbeitsmappe nicht lesbar: {exc}") from None
    if total != info.file_size or crc != info.CRC:
        raise _refuse(label, f"Arbeitsmappe beschädigt: {info.filename} ist unvollständig oder verändert "
                             "(Größe oder Prüfsumme stimmt nicht)")
    budget.bytes -= total


def _scan(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget, label: str
          ) -> dict[tuple[int, int], Special]:
    """One pass over a sheet's XML: limits, formulas and error values (see the module docstring)."""
    special: dict[tuple[int, int], Special] = {}
    data = b""
    first = True
    rows = 0
    for chunk in _chunks(archive, info, budget, label):
        data += chunk
        if first:
            first = False
            match = _DIMENSION.search(data, 0, 4096)
            if match and match.group(4):
                start_column = _column_index(match.group(1) or b"A")
                height = int(match.group(4)) - int(match.group(2) or 1) + 1
                width = _column_index(match.group(3) or match.group(1) or b"A") - start_column + 1
                budget.take_rows(label, height, width)
        # cut at a tag's "<": no match of the patterns straddles it
        cut = data.rfind(b"<", 0, len(data) - _OVERLAP) if len(data) > _OVERLAP else -1
        if cut > 0:
            rows += _collect(data, cut, special)
            budget.take_rows(label, rows)
            data = data[cut:]
    rows += _collect(data, len(data), special)
    budget.take_rows(label, rows)
    budget.rows -= rows
    return special


def _collect(data: bytes, end: int, special: dict[tuple[int, int], Special]) -> int:
    """The rows starting before ``end``; the formula and error cells starting there go into ``special``.

    Plain byte searches decide first whether a chunk holds a formula or an error value at all
    (most hold neither); only then the patterns run.
    """
    rows = data.count(b"<row", 0, end) + data.count(b":row", 0, end)  # an upper bound, for the limit
    if data.find(b"<f", 0, end) >= 0 or data.find(b":f", 0, end) >= 0:
        for match in _FORMULA.finditer(data, 0, end):
            _formula(data, match, special)
    if data.find(b't="e"', 0, end) >= 0 or data.find(b"t='e'", 0, end) >= 0:
        for match in _ERROR_CELL.finditer(data, 0, end):
            position = _position(data, match.start())
            value = _VALUE.search(data, match.end(), match.end() + 200)
            if position is not None and position not in special:
                special[position] = Special("e", _unescape(value.group(1)).decode("utf-8", "replace") if value else "#")
    return rows


def _formula(data: bytes, match: re.Match, special: dict[tuple[int, int], Special]) -> None:
    position = _position(data, _last_cell_start(data, match.start()))
    close = data.find(b">", match.start())
    if position is None or position in special or close < 0:
        return
    text = b"" if data[close - 1:close] == b"/" else data[close + 1:data.find(b"<", close + 1)]
    cell_end = _CELL_END.search(data, close)
    value = _VALUE.search(data, close + 1, cell_end.start()) if cell_end else None
    formula = "=" + (_unescape(text).decode("utf-8", "replace") if text else "…")
    # the end of the cell beyond the window (a value of more than 64 KB): taken as stored
    special[position] = Special("f", formula, cell_end is None or bool(value and value.group(1).strip()))


def _last_cell_start(data: bytes, before: int) -> int | None:
    starts = [m.start() for m in _CELL_START.finditer(data, max(0, before - 2048), before)]
    return starts[-1] if starts else None


def _position(data: bytes, start: int | None) -> tuple[int, int] | None:
    """(row number, column index) of the cell whose start tag begins at ``start``."""
    if start is None:
        return None
    match = _REF.search(data, start, data.find(b">", start) + 1)
    if match is None:
        return None
    return int(match.group(2)), _column_index(match.group(1)) - 1


def _column_index(letters: bytes) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27."""
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _unescape(text: bytes) -> bytes:
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text.replace(b"&amp;", b"&")


def _read_values(path: Path, workbook: Workbook, label: str) -> None:
    """The values of the sheets of ``workbook`` with python-calamine."""
    if not workbook.sheets:
        return
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for broken files
        raise _refuse(label, f"Arbeitsmappe nicht lesbar: {exc}") from None
    try:
        for title, sheet in workbook.sheets.items():
            try:
                data = book.get_sheet_by_name(title)
                offset = [""] * (data.start[1] if data.start else 0)
                sheet.rows = [offset + row if offset else row for row in data.iter_rows()]
            except Exception as exc:  # noqa: BLE001
                raise _refuse(f"{label}[{title}]", f"Blatt nicht lesbar: {exc}") from None
    finally:
        book.close()


# --------------------------------------------------------------------------- assessment workbooks


def read_workbook_tables(path: Path) -> dict[str, Table]:
    """Read the sheets of an assessment workbook as tables, by sheet name (lower case).

    Raises :class:`AssessmentError` with every problem of every sheet: a
    formula without a stored value, an error value, a control character in a
    cell, a file that is no workbook or exceeds the limits.
    """
    book = open_workbook(path)
    tables = {}
    problems: list[Problem] = []
    for title, sheet in book.sheets.items():
        label = f"{path.name}[{title}]"
        values = [[cell_text(value) for value in row] for row in sheet.rows]
        header = values[0] if values else []
        for (number, index), cell in sorted(sheet.special.items()):
            if cell.kind == "f" and cell.stored:
                continue
            column = header[index].strip().lower() if index < len(header) and header[index].strip() else None
            problems.append(Problem(label, number, column, cell.text,
                                    FORMULA_WITHOUT_VALUE if cell.kind == "f" else ERROR_VALUE))
        tables[title.strip().lower()] = _table_from_records(label, values, problems)
    if problems:
        raise AssessmentError(problems, path.name)
    return tables


def cell_text(value: object) -> str:
    """A cell value as text (whole numbers without ``.0``; empty for no value)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
