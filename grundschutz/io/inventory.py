"""Reading and validating assessment folders and workbooks.

An assessment is a folder with ``assessment.yaml`` and the tables
``objects.csv``, ``dependencies.csv`` and ``needs.csv`` (or the same tables as
sheets of ``assessment.xlsx``). Everything is read and checked in full before
anything is computed; all problems are reported at once in an
:class:`~grundschutz.model.errors.AssessmentError`.

``read_*`` functions take paths; ``parse_*`` functions are pure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grundschutz.model.bulk import paused_gc
from grundschutz.model.errors import AssessmentError, Problem
from grundschutz.model.assessment import (
    Assessment,
    BasicValue,
    CumulationRule,
    Dependency,
    DistributionSetting,
    Effect,
    Level,
    Need,
    ObjectType,
    Override,
    Settings,
    TargetObject,
)

SETTINGS_FILE = "assessment.yaml"
WORKBOOK_FILE = "assessment.xlsx"

#: The tables of an assessment, their required and optional columns.
TABLES: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "objects": (("id", "type", "name"), ("description", "tags", "count")),
    "dependencies": (("object", "depends_on"), ("redundancy_group", "note")),
    "needs": (
        ("object", "confidentiality", "integrity", "availability"),
        ("confidentiality_reason", "integrity_reason", "availability_reason", "effect"),
    ),
}
REQUIRED_TABLES = ("objects", "dependencies", "needs")
EDITIONS = ("kompendium-2023", "grundschutz++")
VARIANTS = ("basis", "standard", "kern")


@dataclass(frozen=True)
class Table:
    """A table as read from a CSV file or a sheet: its file label, its column
    names (lower case) and its rows with their spreadsheet row numbers."""

    file: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, Mapping[str, str]], ...]


# --------------------------------------------------------------------------
# CSV and workbook parsing


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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise AssessmentError(
            [_file_problem(file, "Datei ist UTF-16-kodiert. Bitte als 'CSV UTF-8' speichern.")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AssessmentError(
            [
                _file_problem(
                    file,
                    f"Datei ist nicht UTF-8-kodiert (Byte 0x{data[exc.start]:02x} an "
                    f"Position {exc.start}, Zeile {line}; vermutlich Windows-1252/ANSI). "
                    "Bitte als 'CSV UTF-8' speichern.",
                )
            ]
        ) from None


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
    empty lines are skipped.

    >>> table = parse_csv("ID;Type\\nA;server\\n", "objects.csv")
    >>> table.columns, table.rows[0]
    (('id', 'type'), (2, {'id': 'A', 'type': 'server'}))
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        # records are consumed as they are read, not listed first: half the
        # objects alive at once, which matters for tables of 100,000 rows
        return _table_from_records(file, reader)
    except csv.Error as exc:
        raise AssessmentError([_file_problem(file, f"CSV nicht lesbar: {exc}")]) from None


def _table_from_records(file: str, records: Iterable[list[str]]) -> Table:
    iterator = iter(records)
    header: list[str] | None = None
    for header in iterator:
        if any(cell.strip() for cell in header):
            break
    else:
        return Table(file, (), ())
    columns = tuple(cell.strip().lower() for cell in header)
    rows = []
    for number, record in enumerate(iterator, start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
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


def read_workbook_tables(path: Path) -> dict[str, Table]:
    """Read the sheets of an assessment workbook as tables, by sheet name.

    Values are read, never formulas. Sheet names are matched in lower case.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise AssessmentError(
            [_file_problem(path.name, f"Arbeitsmappe nicht lesbar: {exc}")]
        ) from None
    tables = {}
    try:
        for sheet in workbook.worksheets:
            label = f"{path.name}[{sheet.title}]"
            records = (
                [_cell_text(value) for value in row]
                for row in sheet.iter_rows(values_only=True)
            )
            tables[sheet.title.strip().lower()] = _table_from_records(label, records)
    finally:
        workbook.close()
    return tables


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------
# assessment.yaml


def parse_settings(text: str, file: str = SETTINGS_FILE) -> tuple[Settings, list[Problem]]:
    """Parse ``assessment.yaml`` into :class:`Settings` and the problems found.

    >>> settings, problems = parse_settings("name: Test\\ndistribution:\\n  enabled: true\\n")
    >>> settings.distribution.enabled, problems
    (True, [])
    """
    import yaml

    problems: list[Problem] = []
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (Zeile {mark.line + 1}, Spalte {mark.column + 1})" if mark else ""
        detail = getattr(exc, "problem", None) or str(exc)
        return Settings(), [_file_problem(file, f"YAML fehlerhaft{where}: {detail}")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Settings(), [_file_problem(file, "muss eine Zuordnung (key: value) sein")]

    def bad(key: str, value: object, message: str) -> None:
        problems.append(Problem(file, None, key, _show(value), message))

    edition = str(data.get("edition", "kompendium-2023")).strip().lower()
    if edition not in EDITIONS:
        bad("edition", data.get("edition"), f"unbekannte Edition (erlaubt: {', '.join(EDITIONS)})")
    variant = str(data.get("variant", "standard")).strip().lower()
    if variant not in VARIANTS:
        bad("variant", data.get("variant"), f"unbekannte Variante (erlaubt: {', '.join(VARIANTS)})")
    rules = _parse_cumulation(data.get("cumulation"), file, problems)
    distribution = _parse_distribution(data.get("distribution"), file, problems)
    known = {"name", "organisation", "edition", "variant", "cumulation", "distribution", "risk_matrix"}
    settings = Settings(
        name=str(data.get("name") or ""),
        organisation=str(data.get("organisation") or ""),
        edition=edition,
        variant=variant,
        cumulation=rules,
        distribution=distribution,
        risk_matrix=data.get("risk_matrix", "default"),
        extra={k: v for k, v in data.items() if k not in known},
    )
    return settings, problems


def _parse_cumulation(raw: object, file: str, problems: list[Problem]) -> tuple[CumulationRule, ...]:
    if raw in (None, [], False):
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(file, None, "cumulation", _show(raw), "muss eine Liste von Regeln sein"))
        return ()
    rules = []
    for index, entry in enumerate(raw, start=1):
        where = f"cumulation[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(file, None, where, _show(entry), "Regel muss eine Zuordnung sein"))
            continue
        found = len(problems)

        def field(key: str, parse, default=None, required=False):
            if key not in entry or entry[key] in (None, ""):
                if required:
                    problems.append(Problem(file, None, f"{where}.{key}", None, "Angabe fehlt"))
                return default
            try:
                return parse(entry[key])
            except (ValueError, TypeError) as exc:
                problems.append(Problem(file, None, f"{where}.{key}", _show(entry[key]), str(exc)))
                return default

        unknown = set(entry) - {
            "basic_value", "types", "min_dependents", "at_level", "raise_to",
            "candidate_margin", "reason", "name",
        }
        for key in sorted(unknown, key=str):
            problems.append(Problem(file, None, f"{where}.{key}", None, "unbekannter Schlüssel"))
        rule = CumulationRule(
            basic_value=field("basic_value", lambda v: BasicValue.parse(str(v)), required=True),
            min_dependents=field("min_dependents", positive_int, required=True),
            raise_to=field("raise_to", lambda v: Level.parse(str(v)), required=True),
            at_level=field("at_level", lambda v: Level.parse(str(v)), Level.NORMAL),
            types=field("types", _parse_types, frozenset()),
            candidate_margin=field("candidate_margin", _non_negative_int, 0),
            reason=str(entry.get("reason") or ""),
            name=str(entry.get("name") or f"Regel {index}"),
        )
        if len(problems) == found:
            rules.append(rule)
    return tuple(rules)


def _parse_distribution(raw: object, file: str, problems: list[Problem]) -> DistributionSetting:
    if raw in (None, False):
        return DistributionSetting(enabled=False)
    if raw is True:
        return DistributionSetting(enabled=True)
    if not isinstance(raw, dict):
        problems.append(Problem(file, None, "distribution", _show(raw), "muss eine Zuordnung sein"))
        return DistributionSetting()
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(Problem(file, None, "distribution.enabled", _show(enabled), "muss true oder false sein"))
        enabled = False
    values = frozenset({BasicValue.AVAILABILITY})
    if "basic_values" in raw:
        try:
            values = frozenset(BasicValue.parse(str(v)) for v in _as_list(raw["basic_values"]))
        except ValueError as exc:
            problems.append(Problem(file, None, "distribution.basic_values", _show(raw["basic_values"]), str(exc)))
        if values - {BasicValue.AVAILABILITY}:
            problems.append(
                Problem(
                    file, None, "distribution.basic_values", _show(raw["basic_values"]),
                    "der Verteilungseffekt gilt nur für availability; Vertraulichkeit und "
                    "Integrität werden durch Verteilung nie gesenkt",
                )
            )
            values = frozenset({BasicValue.AVAILABILITY})
    lower_by = 1
    if "lower_by" in raw:
        try:
            lower_by = positive_int(raw["lower_by"])
        except ValueError as exc:
            problems.append(Problem(file, None, "distribution.lower_by", _show(raw["lower_by"]), str(exc)))
    for key in sorted(set(raw) - {"enabled", "basic_values", "lower_by"}, key=str):
        problems.append(Problem(file, None, f"distribution.{key}", None, "unbekannter Schlüssel"))
    return DistributionSetting(enabled=enabled, basic_values=values, lower_by=lower_by)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _parse_types(value: object) -> frozenset[ObjectType]:
    return frozenset(ObjectType.parse(str(v)) for v in _as_list(value))


def positive_int(value: object) -> int:
    """An integer >= 1 from a cell or YAML value, else :class:`ValueError` in German.

    >>> positive_int("3")
    3
    """
    number = _non_negative_int(value)
    if number < 1:
        raise ValueError("muss eine ganze Zahl >= 1 sein")
    return number


def _non_negative_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("muss eine ganze Zahl sein")
    try:
        number = int(value)
    except ValueError:
        raise ValueError("muss eine ganze Zahl sein") from None
    if number < 0:
        raise ValueError("darf nicht negativ sein")
    return number


# --------------------------------------------------------------------------
# Tables -> Assessment


def parse_tags(text: str) -> dict[str, str]:
    """Parse a tags cell: ``;``-separated ``key=value`` pairs or plain words.

    >>> parse_tags("source=vorlage; kronjuwel ;os=linux")
    {'source': 'vorlage', 'kronjuwel': '', 'os': 'linux'}
    """
    tags = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, _, value = part.partition("=")
        tags[key.strip()] = value.strip()
    return tags


def build_assessment(
    settings: Settings,
    tables: Mapping[str, Table],
    source: str = "",
    problems: Iterable[Problem] = (),
) -> Assessment:
    """Check the tables against each other and build the :class:`Assessment`.

    Pure: takes parsed tables, returns the assessment or raises
    :class:`AssessmentError` with every problem found (plus ``problems``
    found earlier, e.g. in the settings).
    """
    found = list(problems)
    for name, table in tables.items():
        found.extend(_check_columns(name, table))
    incomplete = any(name not in tables for name in REQUIRED_TABLES) or any(
        p.row is None and p.column in _all_required() for p in found
    )
    if incomplete:
        raise AssessmentError(found, source)
    objects, known = objects_from_table(tables["objects"], found)
    dependencies = dependencies_from_table(tables["dependencies"], known, found)
    needs, overrides = needs_from_table(tables["needs"], known, found)
    if found:
        raise AssessmentError(found, source)
    return Assessment(settings, objects, dependencies, needs, overrides, source)


def _all_required() -> set[str]:
    return {column for required, _ in TABLES.values() for column in required}


def _check_columns(name: str, table: Table) -> list[Problem]:
    required, optional = TABLES[name]
    problems = []
    if not table.columns:
        return [_file_problem(table.file, "Datei ist leer (keine Kopfzeile)")]
    for column in required:
        if column not in table.columns:
            problems.append(Problem(table.file, None, column, None, "Pflichtspalte fehlt"))
    seen = set()
    for column in table.columns:
        if column in seen and column:
            problems.append(Problem(table.file, 1, column, None, "Spalte kommt doppelt vor"))
        seen.add(column)
    return problems


def objects_from_table(table: Table, problems: list[Problem]) -> tuple[dict[str, TargetObject], set[str]]:
    """The objects of an ``objects`` table, appending what is wrong to
    ``problems``; also the ids written, including rows with errors, so that
    other tables referring to them are not reported again."""
    objects: dict[str, TargetObject] = {}
    first_row: dict[str, int] = {}
    file = table.file
    for row_number, row in table.rows:
        _check_extra(file, row_number, row, problems)
        object_id = row["id"]
        if not object_id:
            problems.append(Problem(file, row_number, "id", "", "leere Objekt-ID"))
            continue
        if object_id in first_row:
            problems.append(
                Problem(file, row_number, "id", object_id, f"doppelte Objekt-ID (bereits in Zeile {first_row[object_id]})")
            )
            continue
        first_row[object_id] = row_number
        try:
            object_type = ObjectType.parse(row["type"])
        except ValueError as exc:
            problems.append(Problem(file, row_number, "type", row["type"], str(exc)))
            continue
        count = 1
        if row.get("count"):
            try:
                count = positive_int(row["count"])
            except ValueError as exc:
                problems.append(Problem(file, row_number, "count", row["count"], str(exc)))
        tags = parse_tags(row.get("tags", ""))
        for key in tags:
            if not key:
                problems.append(Problem(file, row_number, "tags", row["tags"], "Tag ohne Namen vor '='"))
        objects[object_id] = TargetObject(
            id=object_id,
            type=object_type,
            name=row["name"] or object_id,
            description=row.get("description", ""),
            tags=tags,
            count=count,
        )
    return objects, set(first_row)


def dependencies_from_table(
    table: Table, objects: set[str], problems: list[Problem]
) -> tuple[Dependency, ...]:
    """The edges of a ``dependencies`` table between ``objects`` (ids),
    appending what is wrong to ``problems``."""
    dependencies = []
    seen: dict[tuple[str, str], int] = {}
    file = table.file
    for row_number, row in table.rows:
        _check_extra(file, row_number, row, problems)
        source, target = row["object"], row["depends_on"]
        ok = True
        for column, value in (("object", source), ("depends_on", target)):
            if not value:
                problems.append(Problem(file, row_number, column, "", "leere Objekt-ID"))
                ok = False
            elif value not in objects:
                problems.append(Problem(file, row_number, column, value, "unbekannte Objekt-ID"))
                ok = False
        if ok and source == target:
            problems.append(Problem(file, row_number, "depends_on", target, "Objekt hängt von sich selbst ab"))
            continue
        if (source, target) in seen:
            problems.append(
                Problem(file, row_number, "depends_on", target,
                        f"doppelte Abhängigkeit {source} -> {target} (bereits in Zeile {seen[(source, target)]})")
            )
            continue
        seen[(source, target)] = row_number
        if ok:
            dependencies.append(
                Dependency(source, target, row.get("redundancy_group", ""), row.get("note", ""))
            )
    return tuple(dependencies)


def needs_from_table(
    table: Table, objects: set[str], problems: list[Problem]
) -> tuple[dict, dict]:
    """The assessed needs and the overrides of a ``needs`` table, by object
    id and basic value, appending what is wrong to ``problems``."""
    needs: dict[str, dict[BasicValue, Need]] = {}
    overrides: dict[str, dict[BasicValue, Override]] = {}
    assessed_row: dict[str, int] = {}
    override_row: dict[tuple[str, BasicValue], int] = {}
    file = table.file
    for row_number, row in table.rows:
        _check_extra(file, row_number, row, problems)
        object_id = row["object"]
        if not object_id:
            problems.append(Problem(file, row_number, "object", "", "leere Objekt-ID"))
            continue
        if object_id not in objects:
            problems.append(Problem(file, row_number, "object", object_id, "unbekannte Objekt-ID"))
            continue
        effect: Effect | None = None
        if row.get("effect"):
            try:
                effect = Effect(row["effect"].strip().lower())
            except ValueError:
                problems.append(
                    Problem(file, row_number, "effect", row["effect"],
                            "unbekannter Effekt (erlaubt: manual, cumulation, distribution; leer = festgestellt)")
                )
                continue
        levels: dict[BasicValue, Level] = {}
        for value in BasicValue:
            text = row[value.value]
            if text:
                try:
                    levels[value] = Level.parse(text)
                except ValueError as exc:
                    problems.append(Problem(file, row_number, value.value, text, str(exc)))
        if effect is None:
            if object_id in assessed_row:
                problems.append(
                    Problem(file, row_number, "effect", "",
                            f"zweite Zeile für {object_id} ohne effect (festgestellt bereits in Zeile "
                            f"{assessed_row[object_id]}); eine Überschreibung braucht effect und Begründung")
                )
                continue
            assessed_row[object_id] = row_number
            needs[object_id] = {
                v: Need(level, row.get(f"{v.value}_reason", "")) for v, level in levels.items()
            }
            continue
        if not levels and not any(row[v.value] for v in BasicValue):
            problems.append(
                Problem(file, row_number, "effect", row["effect"],
                        "Überschreibung ohne Schutzbedarf: mindestens ein Grundwert muss gesetzt sein")
            )
        for value, level in levels.items():
            reason = row.get(f"{value.value}_reason", "")
            if not reason:
                problems.append(
                    Problem(file, row_number, f"{value.value}_reason", "",
                            f"Überschreibung von {value.value} ohne Begründung")
                )
                continue
            key = (object_id, value)
            if key in override_row:
                problems.append(
                    Problem(file, row_number, value.value, row[value.value],
                            f"{value.value} von {object_id} bereits in Zeile {override_row[key]} überschrieben")
                )
                continue
            override_row[key] = row_number
            overrides.setdefault(object_id, {})[value] = Override(level, reason, effect)
    return needs, overrides


def _check_extra(file: str, row_number: int, row: Mapping[str, str], problems: list[Problem]) -> None:
    if "\0extra" in row:
        problems.append(
            Problem(file, row_number, None, row["\0extra"], "mehr Zellen als Spalten in der Kopfzeile")
        )


# --------------------------------------------------------------------------
# Folders and workbooks


def read_assessment(path: str | Path) -> Assessment:
    """Read and validate an assessment folder (CSV files or ``assessment.xlsx``)
    or an assessment workbook.

    Raises :class:`AssessmentError` listing every problem, with file, row,
    column and value.
    """
    with paused_gc():
        return _read_assessment(Path(path))


def _read_assessment(path: Path) -> Assessment:
    # the work of read_assessment, with the garbage collector paused
    if path.is_file() and path.suffix.lower() == ".xlsx":
        folder, workbook = path.parent, path
    elif path.is_dir():
        folder, workbook = path, path / WORKBOOK_FILE
    else:
        raise AssessmentError([_file_problem(str(path), "Bewertungsordner oder Arbeitsmappe nicht gefunden")])
    problems: list[Problem] = []
    settings_path = folder / SETTINGS_FILE
    if settings_path.is_file():
        try:
            text = decode_text(settings_path.read_bytes(), SETTINGS_FILE)
        except AssessmentError as exc:
            problems.extend(exc.problems)
            text = ""
        settings, settings_problems = parse_settings(text)
        problems.extend(settings_problems)
    elif path.is_dir():
        problems.append(_file_problem(SETTINGS_FILE, "Datei fehlt"))
        settings = Settings()
    else:
        settings = Settings()
    if not settings.name:
        settings = _with_name(settings, folder.name if path.is_dir() else path.stem)

    tables: dict[str, Table] = {}
    csv_present = [name for name in REQUIRED_TABLES if (folder / f"{name}.csv").is_file()]
    if workbook.is_file() and (path == workbook or not csv_present):
        sheets = read_workbook_tables(workbook)
        for name in REQUIRED_TABLES:
            if name in sheets:
                tables[name] = sheets[name]
            else:
                problems.append(_file_problem(f"{workbook.name}[{name}]", "Tabellenblatt fehlt"))
    else:
        if workbook.is_file():
            problems.append(
                _file_problem(WORKBOOK_FILE, "CSV-Dateien und Arbeitsmappe zugleich vorhanden: "
                              "bitte nur eine Form behalten")
            )
        for name in REQUIRED_TABLES:
            csv_path = folder / f"{name}.csv"
            if not csv_path.is_file():
                problems.append(_file_problem(f"{name}.csv", "Datei fehlt"))
                continue
            try:
                tables[name] = read_csv_table(csv_path)
            except AssessmentError as exc:
                problems.extend(exc.problems)
    return build_assessment(settings, tables, str(path), problems)


def _with_name(settings: Settings, name: str) -> Settings:
    from dataclasses import replace

    return replace(settings, name=name)


def _file_problem(file: str, message: str) -> Problem:
    return Problem(file, None, None, None, message)


def _show(value: object) -> str:
    return "" if value is None else str(value)
