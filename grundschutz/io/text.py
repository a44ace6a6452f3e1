"""Tables as the officer writes them: CSV text in UTF-8 (with or without BOM), ``;``, ``,`` or tab.

:func:`parse_csv` turns text into a :class:`Table` (column names in lower
case, cells stripped, every row with its spreadsheet row number); problems
are :class:`~grundschutz.model.errors.AssessmentError` naming file, row,
column and value.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.library_errors import csv_reason

#: Control characters that have no place in a cell (tab, line feed and carriage return are allowed).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_MESSAGE = ("Steuerzeichen im Feld (z. B. NUL, sichtbar gemacht als \\x..): entfernen; oft Reste "
                    "aus einer Kopie aus einem anderen Programm")


@dataclass(frozen=True)
class Table:
    """A table as read from a CSV file or a sheet: its file label, its column
    names (lower case) and its rows with their spreadsheet row numbers."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str]], ...]


def decode_text(data: bytes, file: str) -> str:
    """Decode a file as UTF-8 (with or without BOM), or explain why not.

    >>> decode_text("\\ufeffid".encode("utf-8"), "x.csv")
    'id'
    >>> decode_text("Straße".encode("cp1252"), "x.csv")
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.AssessmentError: 1 Fehler:
      x.csv: Datei ist nicht UTF-8-kodiert (Byte 0xdf an Position 4, Zeile 1; vermutlich Windows-1252/ANSI). Bitte als 'CSV UTF-8' speichern.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data):
        raise AssessmentError(
            [file_problem(file, "Datei ist UTF-16-kodiert. Bitte als 'CSV UTF-8' speichern.")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AssessmentError(
            [
                file_problem(
                    file,
                    f"Datei ist nicht UTF-8-kodiert (Byte 0x{data[exc.start]:02x} an "
                    f"Position {exc.start}, Zeile {line}; vermutlich Windows-1252/ANSI). "
                    "Bitte als 'CSV UTF-8' speichern.",
                )
            ]
        ) from None


def _utf16_without_bom(data: bytes) -> bool:
    """Whether ``data`` looks like UTF-16 without byte order mark: text of mostly Latin
    letters has a zero byte in every other position (odd ones for little, even ones
    for big endian), which UTF-8 text never has.

    >>> _utf16_without_bom("id;name\\nA;Straße\\n".encode("utf-16-le"))
    True
    >>> _utf16_without_bom("id;name\\nA;Straße\\n".encode("utf-8"))
    False
    """
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return False
    half = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) >= 0.3 * half and min(even, odd) <= 0.05 * half


def sniff_delimiter(header_line: str) -> str:
    """The separator of a CSV file from its header line: ``;``, ``,`` or tab.

    >>> sniff_delimiter("id;type;name")
    ';'
    >>> sniff_delimiter("id,type,name")
    ','
    """
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def parse_csv(text: str, file: str) -> Table:
    """Parse the text of a CSV table (``;``, ``,`` or tab separated, header row).

    Column names are compared in lower case; cells are stripped. Completely
    empty lines are skipped. A quote that is never closed (a file cut off in
    the middle of a quoted reason), a quote in the middle of a field and
    control characters (NUL and the like) make the table unusable: every
    such problem of the file is raised at once, with row and column.

    >>> table = parse_csv("ID;Type\\nA;server\\n", "objects.csv")
    >>> table.columns, table.rows[0]
    (('id', 'type'), (2, {'id': 'A', 'type': 'server'}))
    >>> parse_csv('object,reason\\nA,"cut off', "needs.csv")
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.AssessmentError: 1 Fehler:
      needs.csv, Zeile 2, Spalte 'reason', Wert 'cut off': Anführungszeichen nicht geschlossen: die Datei endet mitten in diesem Feld (abgeschnitten?)
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    # records are consumed as they are read, not listed first: half the
    # objects alive at once, which matters for tables of 100,000 rows
    table = _table_from_records(file, _guarded(reader, text, delimiter, file, problems), problems)
    if problems:
        raise AssessmentError(problems)
    return table


def _guarded(reader, text: str, delimiter: str, file: str, problems: list[Problem]) -> Iterator[list[str]]:
    """The records of ``reader``; a CSV error ends them with a problem naming row and column."""
    count = 0
    try:
        for record in reader:
            count += 1
            yield record
    except csv.Error as exc:
        problems.append(_csv_problem(exc, text, delimiter, file, count))


def _csv_problem(exc: csv.Error, text: str, delimiter: str, file: str, count: int) -> Problem:
    """A German problem for a CSV error after ``count`` good records (the header is the first)."""
    detail = str(exc)
    lenient: list[list[str]] = []
    try:
        lenient.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # the lenient reader stops at an over-long field too: the records before it are enough
        pass
    record = lenient[count] if count < len(lenient) else []
    header = [c.strip().lower() for c in lenient[0]] if lenient else []
    index = max(len(record) - 1, 0)  # an unterminated quote swallows the rest: the field is the last one
    if "expected after" in detail:  # the first field that opens a quote and goes on after closing it
        index = next((i for i, field in enumerate(_raw_fields(text, delimiter, count))
                      if field.startswith('"') and not field.endswith('"')), index)
    column = header[index] if count and index < len(header) else None
    value = _shown(record[index]) if index < len(record) else None
    if "unexpected end of data" in detail:
        message = "Anführungszeichen nicht geschlossen: die Datei endet mitten in diesem Feld (abgeschnitten?)"
    elif "expected after" in detail:
        message = ("Anführungszeichen mitten im Feld: nach dem schließenden Anführungszeichen muss das "
                   "Trennzeichen folgen (Anführungszeichen im Text verdoppeln: \"\")")
    elif "field larger than field limit" in detail:
        message = csv_reason(exc)
        fields = _raw_fields(text, delimiter, count)
        index = next((i for i, field in enumerate(fields) if len(field) > csv.field_size_limit()), None)
        column = header[index] if index is not None and count and index < len(header) else None
        value = None
    else:
        message = csv_reason(exc)
    return Problem(file, count + 1 if count else 1, column, value, message)


def _raw_fields(text: str, delimiter: str, count: int) -> list[str]:
    """The fields of record ``count`` (0 = header) split at every delimiter, quotes left in (for messages)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    consumed = 0
    for _ in range(count):
        try:
            next(reader)
        except (StopIteration, csv.Error):
            break
        consumed = reader.line_num
    lines = text.splitlines()
    return [f.strip() for f in lines[consumed].split(delimiter)] if consumed < len(lines) else []


def _shown(text: str, limit: int = 40) -> str:
    """A cell as shown in a message: control characters visible, long text cut."""
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.strip())
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _table_from_records(file: str, records: Iterable[list[str]], problems: list[Problem]) -> Table:
    """The table of ``records`` (header first); control characters in a cell are ``problems``."""
    iterator = iter(records)
    header: list[str] | None = None
    for header in iterator:
        if any(cell.strip() for cell in header):
            break
    else:
        return Table(file, (), ())
    columns = tuple(cell.strip().lower() for cell in header)
    for index, cell in enumerate(header):
        if _CONTROL.search(cell):
            problems.append(Problem(file, 1, None, _shown(cell), _CONTROL_MESSAGE))
    rows = []
    for number, record in enumerate(iterator, start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if _CONTROL.search(" ".join(cells)):  # rare: then cell by cell
            for index, cell in enumerate(cells):
                if _CONTROL.search(cell):
                    column = columns[index] if index < len(columns) else None
                    problems.append(Problem(file, number, column, _shown(cell), _CONTROL_MESSAGE))
        row = dict(zip(columns, cells))
        for column in columns[len(cells):]:
            row[column] = ""
        if len(cells) > len(columns) and any(cells[len(columns):]):
            row["\0extra"] = ";".join(c for c in cells[len(columns):] if c)
        rows.append((number, row))
    return Table(file, columns, tuple(rows))


def read_csv_table(path: Path, file: str | None = None) -> Table:
    """Read one CSV table from ``path``; ``file`` is the label used in messages."""
    label = file or path.name
    return parse_csv(decode_text(path.read_bytes(), label), label)


def file_problem(file: str, message: str) -> Problem:
    """A problem of a whole file (no row, column or value)."""
    return Problem(file, None, None, None, message)
