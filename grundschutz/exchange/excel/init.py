"""Start an assessment from an application list kept in Excel (``grundschutz init``).

Many administrations keep a list of their Fachanwendungen in a spreadsheet.
:func:`init_assessment` turns such a list into an assessment folder
(``assessment.yaml``, ``objects.csv``, ``dependencies.csv``, ``needs.csv``)
following a column mapping in YAML (see ``examples/inventar/mapping.yaml``)::

    name: Informationsverbund Stadtverwaltung Musterstadt
    organisation: Stadt Musterstadt
    sheet: Anwendungen            # default: the first sheet
    header_row: 1                 # row with the column headers
    objects:                      # every row becomes one object
      type: application
      id: Kürzel                  # optional; without it: APP-001, APP-002, ...
      id_prefix: APP-
      name: Fachanwendung         # required
      description: Beschreibung
      tags: {fachbereich: Fachbereich, verantwortlich: Verantwortlich}
      needs: {confidentiality: Vertraulichkeit, availability: Verfügbarkeit,
              availability_reason: Begründung Verfügbarkeit}
    related:                      # columns naming further objects
      - {column: Server, type: server, id_prefix: SRV-, split: ",;/", direction: uses}
      - {column: Fachbereich, type: process, id_prefix: GP-, direction: used_by,
         name: "Aufgaben {value}"}

``direction: uses`` (default) means the row's object depends on the named
object (an application runs on a server); ``used_by`` the other way round (a
process uses the application). Objects named in several rows are created
once. Columns the mapping does not use, rows without a name and values that
are not levels are reported, not guessed. An existing assessment is never
overwritten.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grundschutz.io.files import folder_lock, replace_files, write_error
from grundschutz.io.folder import read_assessment
from grundschutz.io.tables import TABLES
from grundschutz.io.text import decode_text, sniff_delimiter
from grundschutz.io.workbook import open_workbook
from grundschutz.model import BASIC_VALUES, Level, ObjectType
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem, unknown_name
from grundschutz.model.library_errors import csv_reason, yaml_message

ASSESSMENT_FILES = ("assessment.yaml", "objects.csv", "dependencies.csv", "needs.csv", "assessment.xlsx")
_OBJECT_KEYS = {"type", "id", "id_prefix", "name", "description", "tags", "needs", "count"}
_RELATED_KEYS = {"column", "type", "id_prefix", "split", "direction", "name", "note"}
_NEED_KEYS = {v.value for v in BASIC_VALUES} | {f"{v.value}_reason" for v in BASIC_VALUES}
_TOP_KEYS = {"name", "organisation", "sheet", "header_row", "objects", "related", "edition", "variant"}

SETTINGS_TEMPLATE = """\
# Angelegt mit 'grundschutz init' aus {source}.
name: {name}
organisation: {organisation}
edition: kompendium-2023          # oder grundschutz++
variant: standard                 # basis | standard | kern
cumulation: []                    # Regeln für den Kumulationseffekt, siehe docs/format.md
distribution:
  enabled: false                  # Verteilungseffekt über redundancy_group
risk_matrix: default
"""


@dataclass
class InitReport:
    """What :func:`init_assessment` created and what it could not map."""

    folder: Path
    objects: dict[str, int] = field(default_factory=dict)
    dependencies: int = 0
    needs: int = 0
    unmapped_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _yaml(path: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load(decode_text(path.read_bytes(), path.name))
    except yaml.YAMLError as exc:
        raise AssessmentError([Problem(path.name, None, None, None, yaml_message(exc))]) from None
    if not isinstance(data, dict):
        raise AssessmentError([Problem(path.name, None, None, None, "muss eine Zuordnung (key: value) sein")])
    return data


def _read_rows(path: Path, sheet: str | None, header_row: int
               ) -> tuple[str, list[str], list[tuple[int, list[str]]], set[tuple[int, int]]]:
    """The sheet's label, its headers, its rows (row number, cells as text) and
    the cells (row number, column index) holding a formula without a stored value."""
    blind: set[tuple[int, int]] = set()
    if path.suffix.lower() == ".csv":
        import csv
        import io

        text = decode_text(path.read_bytes(), path.name).lstrip("\ufeff")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
        records = []
        try:
            records.extend(reader)
        except csv.Error as exc:
            raise AssessmentError([Problem(path.name, reader.line_num, None, None, csv_reason(exc))]) from None
        label = path.name
    else:
        titles = open_workbook(path, []).titles
        if sheet is not None and sheet not in titles:
            raise GrundschutzError(f"{path.name}: Tabellenblatt '{sheet}' gibt es nicht "
                                   f"(vorhanden: {', '.join(titles)})")
        if not titles:
            raise GrundschutzError(f"{path.name}: keine Tabellenblätter")
        title = sheet if sheet is not None else titles[0]
        book = open_workbook(path, [title])
        label = f"{path.name}[{title}]"
        records = book.sheets[title].rows
        # formulas: their stored values are read; one never calculated (or an error value) has none
        blind = {(number, index) for (number, index), cell in book.sheets[title].special.items()
                 if cell.kind == "e" or not cell.stored}
    if len(records) < header_row:
        raise GrundschutzError(f"{label}: Kopfzeile {header_row} fehlt (nur {len(records)} Zeilen)")
    headers = [_text(v) for v in records[header_row - 1]]
    rows = [(number, [_text(v) for v in record])
            for number, record in enumerate(records[header_row:], start=header_row + 1)]
    return label, headers, rows, blind


def _text(value: object) -> str:
    from datetime import date, datetime

    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def init_assessment(folder: str | Path, inventory: str | Path, mapping: str | Path) -> InitReport:
    """Create the assessment ``folder`` from the list ``inventory`` (.xlsx or .csv) and ``mapping`` (YAML).

    Raises :class:`GrundschutzError` if ``folder`` already holds an
    assessment, :class:`AssessmentError` with every problem of the mapping
    (unknown keys, columns the list does not have, duplicate ids).
    """
    folder, inventory, mapping = Path(folder), Path(inventory), Path(mapping)
    existing = [name for name in ASSESSMENT_FILES if (folder / name).exists()]
    if existing:
        raise GrundschutzError(f"{folder} enthält bereits eine Bewertung ({', '.join(existing)}); "
                               "init überschreibt nichts")
    if folder.exists() and not folder.is_dir():
        raise GrundschutzError(f"{folder} ist eine Datei, kein Ordner")
    for path in (inventory, mapping):
        if not path.is_file():
            raise GrundschutzError(f"{path}: Datei nicht gefunden")
    config = _yaml(mapping)
    problems: list[Problem] = []
    file = mapping.name

    def bad(key: str, value: object, message: str) -> None:
        problems.append(Problem(file, None, key, None if value is None else str(value), message))

    for key in sorted(set(config) - _TOP_KEYS, key=str):
        bad(str(key), None, unknown_name("unbekannter Schlüssel", str(key), sorted(_TOP_KEYS)))
    objects_cfg = config.get("objects")
    if not isinstance(objects_cfg, dict):
        bad("objects", objects_cfg, "Zuordnung 'objects' fehlt (mindestens objects.name: <Spalte>)")
        raise AssessmentError(problems, str(mapping))
    for key in sorted(set(objects_cfg) - _OBJECT_KEYS, key=str):
        bad(f"objects.{key}", None, unknown_name("unbekannter Schlüssel", str(key), sorted(_OBJECT_KEYS)))
    header_row = config.get("header_row", 1)
    if not isinstance(header_row, int) or header_row < 1:
        bad("header_row", header_row, "muss eine ganze Zahl >= 1 sein")
        header_row = 1
    label, headers, rows, blind = _read_rows(inventory, config.get("sheet"), header_row)
    index = {_key(h): i for i, h in reversed(list(enumerate(headers))) if h}

    def column(key: str, value: object, required: bool = False) -> int | None:
        if value in (None, ""):
            if required:
                bad(key, None, "Spalte fehlt in der Zuordnung")
            return None
        if not isinstance(value, str):
            bad(key, value, "muss der Name einer Spalte sein")
            return None
        if _key(value) not in index:
            bad(key, value, f"Spalte gibt es in {label} nicht (vorhanden: {', '.join(h for h in headers if h)})")
            return None
        return index[_key(value)]

    def object_type(key: str, value: object, default: str) -> ObjectType | None:
        try:
            return ObjectType.parse(str(value or default))
        except ValueError as exc:
            bad(key, value, str(exc))
            return None

    main_type = object_type("objects.type", objects_cfg.get("type"), "application")
    id_col = column("objects.id", objects_cfg.get("id"))
    name_col = column("objects.name", objects_cfg.get("name"), required=True)
    description_col = column("objects.description", objects_cfg.get("description"))
    count_col = column("objects.count", objects_cfg.get("count"))
    tags_cfg = objects_cfg.get("tags") or {}
    needs_cfg = objects_cfg.get("needs") or {}
    tag_cols, need_cols = {}, {}
    if not isinstance(tags_cfg, dict):
        bad("objects.tags", tags_cfg, "muss eine Zuordnung 'Tag: Spalte' sein")
        tags_cfg = {}
    for tag, header in tags_cfg.items():
        if not re.fullmatch(r"[\w.-]+", str(tag)):
            bad(f"objects.tags.{tag}", tag, "Tag-Name darf nur Buchstaben, Ziffern, '_', '-' und '.' enthalten")
        tag_cols[str(tag)] = column(f"objects.tags.{tag}", header)
    if not isinstance(needs_cfg, dict):
        bad("objects.needs", needs_cfg, "muss eine Zuordnung 'Grundwert: Spalte' sein")
        needs_cfg = {}
    for key, header in needs_cfg.items():
        if key not in _NEED_KEYS:
            bad(f"objects.needs.{key}", None, unknown_name("unbekannter Schlüssel", str(key), sorted(_NEED_KEYS)))
        need_cols[key] = column(f"objects.needs.{key}", header)
    related = []
    for number, entry in enumerate(config.get("related") or [], start=1):
        where = f"related[{number}]"
        if not isinstance(entry, dict):
            bad(where, entry, "muss eine Zuordnung sein")
            continue
        for key in sorted(set(entry) - _RELATED_KEYS, key=str):
            bad(f"{where}.{key}", None, unknown_name("unbekannter Schlüssel", str(key), sorted(_RELATED_KEYS)))
        direction = str(entry.get("direction", "uses"))
        if direction not in ("uses", "used_by"):
            bad(f"{where}.direction", direction, "erlaubt: uses (hängt ab von), used_by (wird genutzt von)")
        template = str(entry.get("name") or "{value}")
        try:
            template.format(value="x")
        except (KeyError, IndexError, ValueError):
            bad(f"{where}.name", template, "Vorlage darf nur {value} als Platzhalter enthalten")
        related.append({
            "column": column(f"{where}.column", entry.get("column"), required=True),
            "header": entry.get("column"),
            "type": object_type(f"{where}.type", entry.get("type"), ""),
            "prefix": str(entry.get("id_prefix") or ""),
            "split": str(entry.get("split", "")),
            "direction": direction,
            "name": str(entry.get("name") or "{value}"),
            "note": str(entry.get("note") or ""),
        })
    if problems:
        raise AssessmentError(problems, str(mapping))

    report = InitReport(folder)
    used = {i for i in (id_col, name_col, description_col, count_col, *tag_cols.values(), *need_cols.values(),
                        *(r["column"] for r in related)) if i is not None}
    report.unmapped_columns = [h for i, h in enumerate(headers) if h and i not in used]
    objects: list[tuple[str, ...]] = []
    dependencies: list[tuple[str, ...]] = []
    needs: list[tuple[str, ...]] = []
    ids: dict[str, int] = {}
    prefix = str(objects_cfg.get("id_prefix") or _PREFIXES.get(main_type, "OBJ-"))
    others: dict[tuple[ObjectType, str], str] = {}
    other_rows: list[tuple[str, ...]] = []
    counters: dict[str, int] = {}
    data_rows = [(n, r) for n, r in rows if any(c.strip() for c in r) or any(b[0] == n for b in blind)]
    width = max(3, len(str(len(data_rows))))

    def cell(record: list[str], i: int | None) -> str:
        return record[i].strip() if i is not None and i < len(record) else ""

    for number, record in data_rows:
        for index in sorted(i for n, i in blind if n == number and i in used):
            report.notes.append(f"{label}, Zeile {number}: '{headers[index]}' enthält eine Formel ohne gespeicherten "
                                "Wert (Liste in Excel öffnen und speichern); nicht übernommen.")
        name = cell(record, name_col)
        if not name:
            report.notes.append(f"{label}, Zeile {number}: '{headers[name_col]}' ist leer; Zeile übersprungen.")
            continue
        object_id = cell(record, id_col) if id_col is not None else f"{prefix}{len(objects) + 1:0{width}d}"
        if not object_id:
            report.notes.append(f"{label}, Zeile {number}: '{headers[id_col]}' ist leer; Zeile übersprungen.")
            continue
        if object_id in ids:
            problems.append(Problem(label, number, headers[id_col] if id_col is not None else "id", object_id,
                                    f"Kennung doppelt (bereits Zeile {ids[object_id]})"))
            continue
        ids[object_id] = number
        tags = []
        for tag, i in tag_cols.items():
            value = cell(record, i).replace(";", ",").replace("\n", " ")
            if value:
                tags.append(f"{tag}={value}")
        count = cell(record, count_col)
        if count and not count.isdigit():
            report.notes.append(f"{label}, Zeile {number}: Anzahl '{count}' ist keine ganze Zahl; nicht übernommen.")
            count = ""
        objects.append((object_id, main_type.value, name, cell(record, description_col), ";".join(tags),
                        "" if count in ("", "1") else count))
        levels, reasons = [], []
        for value in BASIC_VALUES:
            text = cell(record, need_cols.get(value.value))
            level = ""
            if text:
                try:
                    level = Level.parse(text).label
                except ValueError:
                    report.notes.append(f"{label}, Zeile {number}: {value.label} '{text}' ist keine "
                                        "Schutzbedarfskategorie (normal, hoch, sehr hoch); nicht übernommen.")
            levels.append(level)
            reasons.append(cell(record, need_cols.get(f"{value.value}_reason")) if level else "")
        if any(levels):
            needs.append((object_id, *levels, *reasons, ""))
        for entry in related:
            text = cell(record, entry["column"])
            parts = re.split("[" + re.escape(entry["split"]) + "]", text) if entry["split"] else [text]
            for part in (p.strip() for p in parts):
                if not part:
                    continue
                key = (entry["type"], _key(part))
                if key not in others:
                    kind = entry["prefix"] or _PREFIXES.get(entry["type"], "OBJ-")
                    counters[kind] = counters.get(kind, 0) + 1
                    others[key] = f"{kind}{counters[kind]:02d}"
                    other_rows.append((others[key], entry["type"].value, entry["name"].format(value=part), "",
                                       f"quelle={entry['header']}", ""))
                edge = (object_id, others[key]) if entry["direction"] == "uses" else (others[key], object_id)
                if (*edge, "", entry["note"]) not in dependencies:
                    dependencies.append((*edge, "", entry["note"]))
    clash = sorted(set(ids) & {row[0] for row in other_rows})
    for object_id in clash:
        problems.append(Problem(label, ids[object_id], "id", object_id,
                                "Kennung kollidiert mit einer erzeugten Kennung; anderes id_prefix wählen"))
    if problems:
        raise AssessmentError(problems, str(inventory))
    if not objects:
        raise GrundschutzError(f"{label}: keine Zeile mit '{headers[name_col]}' gefunden; nichts angelegt")
    all_objects = objects + other_rows
    for row in all_objects:
        report.objects[row[1]] = report.objects.get(row[1], 0) + 1
    report.dependencies, report.needs = len(dependencies), len(needs)
    settings = SETTINGS_TEMPLATE.format(source=inventory.name, name=_yaml_text(config.get("name") or folder.name),
                                        organisation=_yaml_text(config.get("organisation") or ""))
    _write_folder(folder, settings, all_objects, dependencies, needs)
    return report


_PREFIXES = {ObjectType.APPLICATION: "APP-", ObjectType.SERVER: "SRV-", ObjectType.PROCESS: "GP-",
             ObjectType.CLIENT: "CL-", ObjectType.NETWORK: "NET-", ObjectType.ROOM: "R-",
             ObjectType.SERVICE: "SVC-", ObjectType.NETWORK_DEVICE: "NWD-", ObjectType.BUILDING: "B-",
             ObjectType.MOBILE: "MOB-", ObjectType.PRINTER: "PR-"}


def _yaml_text(value: object) -> str:
    import json

    return json.dumps(str(value), ensure_ascii=False)


def _write_folder(folder: Path, settings: str, objects, dependencies, needs) -> None:
    """Check the files in a temporary folder, then write them into ``folder`` all together
    (:func:`~grundschutz.io.files.replace_files`: flushed, renamed, nothing half-written), under its lock."""
    import csv
    import io

    parent = folder.parent if folder.parent.exists() else None
    if parent is None:
        raise GrundschutzError(f"{folder.parent}: Ordner gibt es nicht")
    files = {"assessment.yaml": settings.encode("utf-8")}
    for name, rows in (("objects", objects), ("dependencies", dependencies), ("needs", needs)):
        required, optional = TABLES[name]
        text = io.StringIO(newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow((*required, *optional))
        writer.writerows(rows)
        files[f"{name}.csv"] = text.getvalue().encode("utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix=".grundschutz-init-", dir=parent) as temp:
            work = Path(temp) / (folder.name or "bewertung")
            work.mkdir()
            for name, content in files.items():
                (work / name).write_bytes(content)
            read_assessment(work)  # never leave an assessment that does not validate
    except OSError as exc:
        raise write_error(parent, exc) from None
    created = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise write_error(folder, exc) from None
    try:
        with folder_lock(folder, purpose="grundschutz init"):
            for name in files:
                if (folder / name).exists():  # created meanwhile: still never overwrite
                    raise GrundschutzError(f"{folder / name} gibt es bereits; init überschreibt nichts")
            replace_files(folder, files)
    except BaseException:
        if created:  # the folder init made holds nothing of an assessment: take it away again
            for lock in folder.glob(".grundschutz.lock*"):
                lock.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def render_init(report: InitReport) -> str:
    """The German report of ``grundschutz init``."""
    from grundschutz.model import ObjectType as T

    kinds = ", ".join(f"{n} {T(k).label}" for k, n in report.objects.items())
    out = [f"Bewertung angelegt in {report.folder}: {sum(report.objects.values())} Zielobjekte ({kinds}), "
           f"{report.dependencies} Abhängigkeiten, {report.needs} Zeilen mit festgestelltem Schutzbedarf."]
    if report.unmapped_columns:
        out.append(f"Nicht zugeordnete Spalten (nicht übernommen): {', '.join(report.unmapped_columns)}")
    if report.notes:
        out.append("Nicht übernommen:")
        out += [f"  {note}" for note in report.notes]
    out.append("Nächste Schritte: Zielobjekte prüfen, Schutzbedarf der Geschäftsprozesse und Anwendungen "
               "feststellen, dann 'grundschutz assess' und 'grundschutz export'.")
    return "\n".join(out)


__all__ = ["InitReport", "init_assessment", "render_init"]
