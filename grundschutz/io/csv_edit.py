"""Edit a CSV file cell by cell and write back only what changed.

:class:`CsvDocument` keeps the raw text of every record. Records that are not
touched are written back byte for byte; a changed record keeps the raw text
of its unchanged fields (with their quoting) and only re-encodes the changed
cells, in the file's own quoting style. Delimiter, BOM, line endings, column
order, extra columns, blank lines and the order of the rows stay as they are.

Records are split by :mod:`csv` itself (the same reader
:func:`grundschutz.io.text.parse_csv` uses), so a record is exactly what the
rest of the toolkit calls a row; row numbers follow the same rule (header = 1).

>>> doc = CsvDocument.parse('id;name\\r\\nA;"Alt; Neu"\\r\\nB;x\\r\\n'.encode(), "t.csv")
>>> doc.set(doc.find(id="B"), "name", "y")
>>> doc.to_bytes().decode()
'id;name\\r\\nA;"Alt; Neu"\\r\\nB;y\\r\\n'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from grundschutz.io.text import decode_text, sniff_delimiter
from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.library_errors import csv_reason

_NEWLINES = ("\r\n", "\n", "\r")


@dataclass
class Record:
    """One record: its raw text without line end, the line end, the values
    (as :mod:`csv` reads them, not stripped) and whether it was edited."""

    raw: str
    end: str
    values: list[str]
    number: int = 0
    changed: set[int] = field(default_factory=set)
    deleted: bool = False
    new: bool = False

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in self.values)


class CsvDocument:
    """A CSV file as editable records; see the module docstring."""

    def __init__(self, file: str, header: Record, records: list[Record], *, delimiter: str = ",",
                 bom: bool = False, newline: str = "\n", final_newline: bool = True, quote_all: bool = False,
                 quote_empty: bool = False, leading: str = "") -> None:
        self.file = file
        self.header = header
        self.records = records
        self.delimiter = delimiter
        self.bom = bom
        self.newline = newline
        self.final_newline = final_newline
        self.quote_all = quote_all
        self.quote_empty = quote_empty
        self.leading = leading  # blank records before the header, kept as they are
        self.columns = [v.strip().lower() for v in header.values]

    # -- reading ------------------------------------------------------------

    @classmethod
    def parse(cls, data: bytes, file: str) -> CsvDocument:
        """Read the bytes of a CSV file (UTF-8, with or without BOM)."""
        text = decode_text(data, file)
        bom = data.startswith(b"\xef\xbb\xbf")
        first_line = text.split("\n", 1)[0]
        delimiter = sniff_delimiter(first_line)
        records = list(_split(text, delimiter, file))
        leading = ""
        while records and records[0].blank:
            leading += records[0].raw + records[0].end
            records.pop(0)
        if not records:
            raise AssessmentError([Problem(file, None, None, None, "Datei ist leer (keine Kopfzeile)")])
        header, body = records[0], records[1:]
        for number, record in enumerate(body, start=2):
            record.number = number
        newline = next((r.end for r in records if r.end), "\n")
        final_newline = bool(records[-1].end)
        sample = [header, *body[:50]]
        raws = [f for r in sample if not r.blank for f in _fields(r.raw, delimiter) or ()]
        quoted = [f.startswith('"') for f in raws if f]
        quote_all = bool(quoted) and all(quoted)
        quote_empty = '""' in raws
        return cls(file, header, body, delimiter=delimiter, bom=bom, newline=newline,
                   final_newline=final_newline, quote_all=quote_all, quote_empty=quote_empty, leading=leading)

    @classmethod
    def new(cls, file: str, columns: list[str]) -> CsvDocument:
        """An empty document for a file that does not exist yet (UTF-8, comma, ``\\n``)."""
        header = Record(",".join(columns), "\n", list(columns))
        return cls(file, header, [])

    # -- access -------------------------------------------------------------

    def column(self, name: str) -> int | None:
        """Index of a column by name (case and surrounding spaces ignored)."""
        name = name.strip().lower()
        return self.columns.index(name) if name in self.columns else None

    def ensure_column(self, name: str) -> int:
        """Index of a column, added at the end of the header if missing.

        Rows that are not edited keep their fewer cells (readers fill them
        with empty values); edited and new rows get the new cell.
        """
        index = self.column(name)
        if index is not None:
            return index
        self.header.values.append(name)
        self.header.changed.add(len(self.header.values) - 1)
        self.columns.append(name.strip().lower())
        return len(self.columns) - 1

    def rows(self) -> Iterator[Record]:
        """The data records that are not blank and not deleted."""
        return (r for r in self.records if not r.deleted and not r.blank)

    def get(self, record: Record, column: str) -> str:
        """The stripped value of a cell (``""`` for a missing column or cell)."""
        index = self.column(column)
        if index is None or index >= len(record.values):
            return ""
        return record.values[index].strip()

    def find(self, **values: str) -> Record | None:
        """The first row whose cells equal ``values`` (stripped), or ``None``."""
        for record in self.rows():
            if all(self.get(record, k) == v for k, v in values.items()):
                return record
        return None

    # -- editing ------------------------------------------------------------

    def set(self, record: Record, column: str, value: str) -> None:
        """Set one cell; adds the column if the file lacks it and the value is not empty."""
        if self.column(column) is None and value == "":
            return
        index = self.ensure_column(column)
        while len(record.values) <= index:
            record.values.append("")
            record.changed.add(len(record.values) - 1)
        if record.values[index].strip() != value:
            record.values[index] = value
            record.changed.add(index)

    def append(self, values: Mapping[str, str]) -> Record:
        """Add a row at the end; columns the file lacks are added for non-empty values."""
        for column, value in values.items():
            if value != "":
                self.ensure_column(column)
        cells = [""] * len(self.columns)
        for column, value in values.items():
            index = self.column(column)
            if index is not None:
                cells[index] = value
        number = (self.records[-1].number + 1) if self.records else 2
        record = Record("", self.newline, cells, number, set(range(len(cells))), new=True)
        self.records.append(record)
        return record

    def delete(self, record: Record) -> None:
        """Remove a row."""
        record.deleted = True

    @property
    def changed(self) -> bool:
        return bool(self.header.changed) or any(r.changed or r.deleted for r in self.records)

    # -- writing ------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The file's new bytes: untouched records as they were."""
        parts = [self.leading]
        records = [self.header, *[r for r in self.records if not r.deleted]]
        for i, record in enumerate(records):
            text = self._encode(record) if record.changed else record.raw
            end = record.end or (self.newline if i < len(records) - 1 else "")
            parts.append(text + end)
        out = "".join(parts)
        if not self.final_newline and self.records and out.endswith(_NEWLINES):
            out = out.rstrip("\r\n")
        elif self.final_newline and not out.endswith(_NEWLINES):
            out += self.newline
        return (("\ufeff" if self.bom else "") + out).encode("utf-8")

    def _encode(self, record: Record) -> str:
        raw = _fields(record.raw, self.delimiter) if record.raw else None
        if raw is not None and len(raw) > len(record.values):
            raw = None
        cells = []
        for i, value in enumerate(record.values):
            if i not in record.changed and raw is not None and i < len(raw):
                cells.append(raw[i])
            else:
                cells.append(self.quote(value))
        return self.delimiter.join(cells)

    def quote(self, value: str) -> str:
        """A value in the file's quoting style (all quoted, or only where needed)."""
        needs = any(c in value for c in (self.delimiter, '"', "\n", "\r")) or value != value.strip()
        if needs or (self.quote_all and (value or self.quote_empty)):
            return '"' + value.replace('"', '""') + '"'
        return value


def _split(text: str, delimiter: str, file: str) -> Iterator[Record]:
    """Records with their raw text, split by :mod:`csv` itself."""
    lines = io.StringIO(text, newline="")
    consumed: list[str] = []

    def feed():
        for line in lines:
            consumed.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)
    try:
        for values in reader:
            raw = "".join(consumed)
            consumed.clear()
            end = next((e for e in _NEWLINES if raw.endswith(e)), "")
            yield Record(raw[: len(raw) - len(end)], end, list(values))
    except csv.Error as exc:
        raise AssessmentError([Problem(file, None, None, None, csv_reason(exc))]) from None


def _fields(raw: str, delimiter: str) -> list[str] | None:
    """The raw text of each field of one record (quotes included), or ``None``
    where the split does not reproduce what :mod:`csv` reads."""
    fields, current, quoted, i = [], [], False, 0
    start = True
    while i < len(raw):
        c = raw[i]
        if start and c == '"':
            quoted, start = True, False
            current.append(c)
        elif quoted:
            current.append(c)
            if c == '"':
                if i + 1 < len(raw) and raw[i + 1] == '"':
                    current.append('"')
                    i += 1
                else:
                    quoted = False
        elif c == delimiter:
            fields.append("".join(current))
            current, start = [], True
        else:
            current.append(c)
            start = False
        i += 1
    fields.append("".join(current))
    try:
        expected = next(csv.reader([raw], delimiter=delimiter), [])
        decoded = [next(csv.reader([f], delimiter=delimiter), [""])[0] if f else "" for f in fields]
    except csv.Error:
        return None
    return fields if decoded == expected else None
