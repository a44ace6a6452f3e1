"""The three tables every assessment has: ``objects``, ``dependencies``, ``needs``.

:func:`build_assessment` checks them against each other and builds the
:class:`~grundschutz.model.assessment.Assessment`; every problem is collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from grundschutz.io.text import Table, file_problem
from grundschutz.io.values import parse_tags, positive_int
from grundschutz.model import Assessment, Dependency, Need, Override, Settings, TargetObject
from grundschutz.model.errors import Problem, unknown_name
from grundschutz.model.levels import BasicValue, Effect, Level, ObjectType
from grundschutz.model.records import INFORMATIONSVERBUND_ID

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


@dataclass(frozen=True)
class CoreTables:
    """What :func:`build_assessment` made of the three tables.

    ``assessment`` is ``None`` if any problem was found (the problems are in
    the list passed in). ``known_ids`` are the object ids written in
    ``objects`` (rows with errors included, so that other tables referring
    to them are not reported again); ``None`` if that table could not be read.
    """

    assessment: Assessment | None
    known_ids: frozenset[str] | None


def build_assessment(
    settings: Settings, tables: Mapping[str, Table], source: str, problems: list[Problem]
) -> CoreTables:
    """Check the tables against each other and build the :class:`Assessment` (pure).

    ``problems`` holds what was found earlier (e.g. in the settings); every
    problem of the tables is appended to it. The assessment is built only if
    the list is empty at the end.
    """
    for name, table in tables.items():
        problems.extend(_check_columns(name, table))
    incomplete = {p.file for p in problems if p.row is None and p.column in _all_required()}
    if "objects" not in tables or tables["objects"].file in incomplete:
        return CoreTables(None, None)
    objects, known = objects_from_table(tables["objects"], problems)
    if any(name not in tables or tables[name].file in incomplete for name in REQUIRED_TABLES):
        return CoreTables(None, frozenset(known))
    dependencies = dependencies_from_table(tables["dependencies"], known, problems)
    needs, overrides = needs_from_table(tables["needs"], known, problems)
    if problems:
        return CoreTables(None, frozenset(known))
    return CoreTables(Assessment(settings, objects, dependencies, needs, overrides, source), frozenset(known))


def _all_required() -> set[str]:
    return {column for required, _ in TABLES.values() for column in required}


def _check_columns(name: str, table: Table) -> list[Problem]:
    required, optional = TABLES[name]
    return column_problems(table, required, optional)


def column_problems(table: Table, required: tuple[str, ...], optional: tuple[str, ...]) -> list[Problem]:
    """Problems of a table's header: empty file, required column missing, unknown or doubled column.

    An unknown column is an error, with the nearest known name: a typo such as
    ``effekt`` for ``effect`` would otherwise change what the rows mean.
    """
    if not table.columns:
        return [file_problem(table.file, "Datei ist leer (keine Kopfzeile)")]
    problems = [Problem(table.file, None, column, None, "Pflichtspalte fehlt")
                for column in required if column not in table.columns]
    known = (*required, *optional)
    seen = set()
    for column in table.columns:
        if not column:
            continue
        if column in seen:
            problems.append(Problem(table.file, 1, column, None, "Spalte kommt doppelt vor"))
        elif column not in known:
            problems.append(Problem(table.file, 1, column, None, unknown_name("unbekannte Spalte", column, known)))
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
        if any(c in object_id for c in "\t\r\n"):
            problems.append(Problem(file, row_number, "id", object_id.replace("\n", "\\n").replace("\t", "\\t"),
                                    "Objekt-ID mit Zeilenumbruch oder Tabulator"))
            continue
        try:
            object_type = ObjectType.parse(row["type"])
        except ValueError as exc:
            problems.append(Problem(file, row_number, "type", row["type"], str(exc)))
            continue
        if object_id == INFORMATIONSVERBUND_ID and object_type is not ObjectType.INFORMATIONSVERBUND:
            problems.append(Problem(file, row_number, "id", object_id,
                                    f"Objekt-ID '{INFORMATIONSVERBUND_ID}' ist für den Informationsverbund "
                                    f"reserviert (Typ informationsverbund), hier aber Typ {object_type.value}: "
                                    "andere ID wählen"))
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
    columns = tuple((value, value.value) for value in BasicValue)
    parsed: dict[str, Level] = {}  # each way of writing a level parsed once
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
        for value, column in columns:
            text = row[column]
            if text:
                level = parsed.get(text)
                if level is None:
                    try:
                        level = parsed[text] = Level.parse(text)
                    except ValueError as exc:
                        problems.append(Problem(file, row_number, column, text, str(exc)))
                        continue
                levels[value] = level
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
        if not levels and not any(row[column] for _, column in columns):
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
