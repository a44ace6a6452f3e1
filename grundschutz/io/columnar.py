"""The fast reader of clean assessment folders: ``objects.csv`` and ``dependencies.csv`` column by column.

:func:`read_core_columnar` reads the three tables of a folder into an
:class:`~grundschutz.model.Assessment` whose objects and dependencies are
columns (:class:`~grundschutz.model.assessment.ObjectColumns`,
:class:`~grundschutz.model.assessment.DependencyColumns`): the CSV module's
records are turned into a few lists and integer arrays in chunks, never into
a dict or a dataclass per row. Every check of the row reader
(:mod:`grundschutz.io.tables`) is made on whole columns: empty, doubled or
unknown object ids, ids with line breaks, unknown types, counts and tags,
the reserved id of the Informationsverbund, self-dependencies, doubled edges.

It answers only for clean files. Anything else -- a problem of any kind, a
control character, a CSV error, a row with cells beyond the header, a
missing file -- makes it return ``None``, and the row reader reads the folder
again and reports every problem with file, row, column and value. So both
readers agree on every folder: the same assessment, or the same problems.
``needs.csv`` (one row per assessed object, a small share of the objects) is
read by the row reader's functions in both cases.

Large plain files -- no quote character, no carriage return outside a
``\r\n`` line end, from :data:`C_PARSER_FROM_BYTES` on -- are split into
cells by pandas' C parser, three times as fast as the csv module; any
surprise there (a row too long, a line it skipped) and the csv module reads
the file again. Both give the same cells.
"""

from __future__ import annotations

import csv
import operator
import re
from array import array
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice, repeat
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from grundschutz.io.tables import TABLES, column_problems, needs_from_table
from grundschutz.io.text import Table, read_csv_table, sniff_delimiter
from grundschutz.io.values import parse_tags, positive_int
from grundschutz.model import Assessment, Settings
from grundschutz.model.assessment import LARGE_GRAPH, DependencyColumns, ObjectColumns
from grundschutz.model.errors import AssessmentError
from grundschutz.model.levels import ObjectType
from grundschutz.model.records import INFORMATIONSVERBUND_ID

#: Records turned into columns at a time: few strings alive at once.
CHUNK_ROWS = 65_536
#: Plain files from this size on are split into cells by pandas' C parser (smaller ones: no import of pandas).
C_PARSER_FROM_BYTES = 4 << 20
_BOM = "\ufeff".encode()
#: The control characters the row reader refuses (UTF-8 encodes each as this one byte).
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_EMPTY_TAGS: Mapping[str, str] = MappingProxyType({})
_SPACE = re.compile(r"\s")
#: An empty or blank cell in cells joined by "\n" (blank: what ``str.strip`` leaves empty).
_BLANK_CELL = re.compile(r"^[^\S\n]*$", re.MULTILINE)


class _RowReaderNeeded(Exception):
    """The file is not plain enough for this reader: the row reader reads it and says what is wrong."""


class _CsvModuleNeeded(Exception):
    """pandas' C parser did not read the file as the csv module does: the csv module reads it."""


def read_core_columnar(folder: Path, settings: Settings, source: str) -> Assessment | None:
    """The objects, dependencies and needs of a folder of clean CSV files; ``None`` where
    anything would be a problem (then the row reader reports it)."""
    try:
        try:
            objects = _objects(folder / "objects.csv", c_parser=True)
            dependencies = _dependencies(folder / "dependencies.csv", objects, c_parser=True)
        except _CsvModuleNeeded:
            objects = _objects(folder / "objects.csv", c_parser=False)
            dependencies = _dependencies(folder / "dependencies.csv", objects, c_parser=False)
    except _RowReaderNeeded:
        return None
    needs_file = folder / "needs.csv"
    if not needs_file.is_file():
        return None
    try:
        table = read_csv_table(needs_file)
    except AssessmentError:
        return None
    problems = column_problems(table, *TABLES["needs"])
    if not problems:
        needs, overrides = needs_from_table(table, objects, problems)
    if problems:
        return None
    return Assessment(settings, objects, dependencies, needs, overrides, source)


class ObjectIds(Container[str]):
    """The ids the optional tables may name: the objects and the Informationsverbund."""

    def __init__(self, objects: Container[str]):
        self.objects = objects

    def __contains__(self, object_id: object) -> bool:
        return object_id in self.objects or object_id == INFORMATIONSVERBUND_ID


def _objects(path: Path, c_parser: bool) -> ObjectColumns:
    """The objects of a clean ``objects.csv``."""
    ids: list[str] = []
    types: list[ObjectType] = []
    names: list[str] = []
    descriptions: list[str] = []
    tags: list[Mapping[str, str]] = []
    counts: list[int] = []
    type_of: dict[str, ObjectType] = {}
    tags_of: dict[str, Mapping[str, str]] = {"": _EMPTY_TAGS}
    count_of: dict[str, int] = {"": 1}
    for chunk in _chunks(path, "objects", c_parser):
        rows = len(chunk["id"])
        ids += chunk["id"]
        types += _parsed(chunk["type"], type_of, ObjectType.parse)
        names += map(str.strip, chunk["name"])
        descriptions += _text(chunk["description"], rows)
        tags += _parsed(chunk["tags"], tags_of, _tags) if chunk["tags"] else repeat(_EMPTY_TAGS, rows)
        counts += _parsed(chunk["count"], count_of, _count) if chunk["count"] else repeat(1, rows)
    joined = "\0".join(ids)
    if _SPACE.search(joined):  # rare: spaces around an id (inside one are kept)
        ids = list(map(str.strip, ids))
        joined = "\0".join(ids)
    if "" in ids or "\t" in joined or "\n" in joined or "\r" in joined:
        raise _RowReaderNeeded
    if "" in names:
        names = [name or object_id for name, object_id in zip(names, ids)]
    objects = ObjectColumns(ids, types, names, descriptions, tags, counts)
    if len(objects._row) != len(ids):  # a doubled id
        raise _RowReaderNeeded
    if INFORMATIONSVERBUND_ID in objects and types[objects.row(INFORMATIONSVERBUND_ID)] is not \
            ObjectType.INFORMATIONSVERBUND:
        raise _RowReaderNeeded
    return objects


def _text(column: Sequence[str] | None, rows: int) -> Iterable[str]:
    """The cells of a free-text column, stripped (``""`` for each row where the column is missing or empty)."""
    return map(str.strip, column) if column and any(column) else repeat("", rows)


def _tags(text: str) -> Mapping[str, str]:
    tags = parse_tags(text)
    if "" in tags:
        raise ValueError("Tag ohne Namen")
    return MappingProxyType(tags)


def _count(text: str) -> int:
    return positive_int(text) if text else 1


def _parsed(column: Sequence[str], known: dict, parse) -> map:
    """The cells of ``column`` parsed (stripped first), each different text once; ``known`` caches the results."""
    for text in set(column).difference(known):
        try:
            known[text] = parse(text.strip())
        except ValueError:
            raise _RowReaderNeeded from None
    return map(known.__getitem__, column)


def _dependencies(path: Path, objects: ObjectColumns, c_parser: bool) -> DependencyColumns:
    """The dependencies of a clean ``dependencies.csv`` between ``objects``."""
    sources, targets, groups = array("i"), array("i"), array("i")
    group_code: dict[str, int] = {"": 0}  # by the group's name
    code_of: dict[str, int] = {"": 0}  # by the cell as written
    notes: list[str] = []
    for chunk in _chunks(path, "dependencies", c_parser):
        rows = len(chunk["object"])
        _rows_of(chunk["object"], objects, sources)
        _rows_of(chunk["depends_on"], objects, targets)
        column = chunk["redundancy_group"]
        if column:
            for text in set(column).difference(code_of):
                code_of[text] = group_code.setdefault(text.strip(), len(group_code))
            groups.extend(map(code_of.__getitem__, column))
        else:
            groups.extend(repeat(0, rows))
        notes += _text(chunk["note"], rows)
    if _self_or_doubled(sources, targets, len(objects)):
        raise _RowReaderNeeded
    return DependencyColumns(objects.ids, sources, targets, groups, tuple(group_code), notes)


def _rows_of(column: Sequence[str], objects: ObjectColumns, rows: array) -> None:
    """Append the row of each object id of ``column`` to ``rows``; an empty or unknown id is refused."""
    for cells in (column, map(str.strip, column)):  # spaces around ids are rare: stripped only when needed
        try:
            rows.extend(array("i", list(map(objects._row.__getitem__, cells))))  # twice as fast as from the map
            return
        except KeyError:
            pass
    raise _RowReaderNeeded


def _self_or_doubled(sources: array, targets: array, n: int) -> bool:
    """Whether an object depends on itself or an edge is given twice."""
    if len(sources) < LARGE_GRAPH:
        return any(map(operator.eq, sources, targets)) or len(set(zip(sources, targets))) != len(sources)
    import numpy as np

    source, target = np.frombuffer(sources, dtype=np.intc), np.frombuffer(targets, dtype=np.intc)
    if (source == target).any():
        return True
    keys = source.astype(np.int64) * n + target
    keys.sort()
    return bool((keys[1:] == keys[:-1]).any())


def _chunks(path: Path, name: str, c_parser: bool) -> Iterator[dict[str, Sequence[str] | None]]:
    """The records of a clean CSV table, ``CHUNK_ROWS`` at a time, as columns by
    name (cells as written: the caller strips them; ``None`` for an optional
    column the file lacks). ``c_parser``: pandas' C parser splits a large plain file."""
    required, optional = TABLES[name]
    shape = _shape(path) if path.is_file() else None
    if shape is None:
        raise _RowReaderNeeded
    with path.open(encoding="utf-8-sig", newline="") as file:
        try:
            first = file.readline()
            # the row reader takes the separator from the text up to the first "\n" and strips one more BOM
            if first.startswith("\ufeff") or first.endswith("\r"):
                raise _RowReaderNeeded
            delimiter = sniff_delimiter(first)
            reader = csv.reader(chain([first], file), delimiter=delimiter, strict=True)
            header = next(reader, [])
            columns = tuple(cell.strip().lower() for cell in header)
            if not any(columns) or column_problems(Table(path.name, columns, ()), required, optional):
                raise _RowReaderNeeded
            where = {column: columns.index(column) for column in (*required, *optional) if column in columns}
            if c_parser and shape.plain and shape.size >= C_PARSER_FROM_BYTES and first.endswith("\n"):
                blocks = _c_parser_blocks(path, len(first.encode()) + shape.bom, delimiter, len(columns),
                                          shape.lines - 1)
            else:
                blocks = _csv_module_blocks(reader, len(columns))
            for cells in blocks:
                if cells:
                    yield {column: (cells[where[column]] if column in where else None)
                           for column in (*required, *optional)}
        except (csv.Error, UnicodeDecodeError):
            raise _RowReaderNeeded from None


def _csv_module_blocks(reader: Iterator[list[str]], width: int) -> Iterator[list[tuple[str, ...]]]:
    """The columns of the records of ``reader``, ``CHUNK_ROWS`` at a time (:func:`_transposed`)."""
    while block := list(islice(reader, CHUNK_ROWS)):
        yield _transposed(block, width)


def _c_parser_blocks(path: Path, offset: int, delimiter: str, width: int, lines: int) -> Iterator[list[list[str]]]:
    """The columns of the records after the header (at byte ``offset``), ``CHUNK_ROWS`` at a time, split by
    pandas' C parser; :class:`_CsvModuleNeeded` unless it reads ``lines`` records of ``width`` cells."""
    import warnings

    import pandas as pd

    read = 0
    with path.open("rb") as file, warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)  # a record longer than the header
        file.seek(offset)
        try:
            for frame in pd.read_csv(file, sep=delimiter, header=None, names=range(width), index_col=False,
                                     dtype=object, na_filter=False, quoting=csv.QUOTE_NONE, engine="c",
                                     skip_blank_lines=False, encoding="utf-8", chunksize=CHUNK_ROWS):
                read += len(frame)
                cells = [frame[k].tolist() for k in range(width)]
                if _BLANK_CELL.search("\n".join(cells[0])):  # perhaps a blank line, which the csv module skips
                    raise _CsvModuleNeeded
                yield cells
        except (ValueError, pd.errors.ParserWarning):  # ParserError and UnicodeDecodeError are ValueErrors
            raise _CsvModuleNeeded from None
    if read != lines:
        raise _CsvModuleNeeded


def _transposed(block: list[list[str]], width: int) -> list[tuple[str, ...]]:
    """The columns of ``width`` cells of some records; rows with other widths
    as the row reader reads them (blank rows skipped, short rows filled)."""
    if set(map(len, block)) != {width}:
        regular = []
        for record in block:
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if any(cells[width:]):  # cells beyond the header: a problem
                raise _RowReaderNeeded
            regular.append(cells[:width] + [""] * (width - len(cells)))
        block = regular
    return list(zip(*block))


class _Shape(NamedTuple):
    """What one pass over a file's bytes finds out."""

    size: int
    bom: int  #: bytes of the byte order mark at its start
    lines: int  #: records of a plain file, counted by their line ends (a last line without one counts too)
    plain: bool  #: no quote character, no carriage return outside a "\r\n"


def _shape(path: Path) -> _Shape | None:
    """The :class:`_Shape` of a file; ``None`` if it has one of the control characters the row reader refuses."""
    size = lines = quotes = returns = crlf = 0
    last = b""
    with path.open("rb") as file:
        while block := file.read(1 << 24):
            if len(block.translate(None, _CONTROL_BYTES)) != len(block):
                return None
            if not size:
                bom = len(_BOM) if block.startswith(_BOM) else 0
            joined = last[-1:] + block
            size += len(block)
            lines += block.count(b"\n")
            quotes += block.count(b'"')
            returns += block.count(b"\r")
            crlf += joined.count(b"\r\n")
            last = block
    if not size:
        return _Shape(0, 0, 0, False)
    lines += not last.endswith(b"\n")
    return _Shape(size, bom, lines, not quotes and returns == crlf)
