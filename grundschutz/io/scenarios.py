"""Scenario files ``scenarios/<name>.yaml``: read, checked in full, and checked against their assessment.

The format is described in ``docs/format.md`` and, with an example, in
:mod:`grundschutz.method.scenario`. :func:`parse_scenario` is pure (text in,
:class:`~grundschutz.model.scenario.Scenario` out) and reuses the row checks of
the assessment's own tables; :func:`validate_scenario` checks a scenario
against the assessment it overlays (ids that must or must not exist). Every
problem of a file is reported at once with its line
(:class:`~grundschutz.model.errors.ScenarioError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from grundschutz.io.records import ANY_OBJECT, check_records
from grundschutz.io.tables import dependencies_from_table, needs_from_table, objects_from_table
from grundschutz.io.text import Table
from grundschutz.io.values import parse_tags, positive_int
from grundschutz.model import Assessment, Dependency, TargetObject
from grundschutz.model.errors import AssessmentError, Problem, ScenarioError, unknown_name
from grundschutz.model.library_errors import yaml_message
from grundschutz.model.levels import BASIC_VALUES, BasicValue, Effect, Level, ObjectType
from grundschutz.model.records import INFORMATIONSVERBUND_ID, ModellingChange
from grundschutz.model.scenario import NeedChange, ObjectChange, Scenario

SCENARIO_DIR = "scenarios"
_LINE = "\0line"
_TOP_KEYS = ("name", "description", "applications", "add", "remove", "change", "bausteine", "check")
_SECTIONS = {"add": ("objects", "dependencies", "needs"), "remove": ("objects", "dependencies"),
             "change": ("objects", "needs")}
_OBJECT_KEYS = ("id", "type", "name", "description", "tags", "count")
_DEPENDENCY_KEYS = ("object", "depends_on", "redundancy_group", "note")
_NEED_KEYS = ("object", "confidentiality", "integrity", "availability", "confidentiality_reason",
              "integrity_reason", "availability_reason", "effect")
_BAUSTEIN_KEYS = ("object", "baustein", "reason", "action")
_CHECK_KEYS = ("object", "requirement", "status", "note", "responsible", "due", "checked_on")
_ACTIONS = {"add": "add", "hinzufügen": "add", "remove": "remove", "entfernen": "remove"}


class _Text(str):
    """A string from the YAML file that knows its line."""

    line: int | None = None


def parse_scenario(text: str, file: str = "scenario.yaml", *, assessment: Assessment | None = None) -> Scenario:
    """Parse and validate the YAML text of a scenario (pure).

    With ``assessment`` every id is checked against it (:func:`validate_scenario`);
    whether Bausteine and requirements exist is for the method to check, with
    the catalog. Raises :class:`ScenarioError` listing every problem.

    >>> parse_scenario("applications: [A]\\nadd:\\n  objects:\\n    - {id: N, type: client, count: 0}\\n", "s.yaml")
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.ScenarioError: 1 Fehler in s.yaml:
      s.yaml, Zeile 4, Spalte 'count', Wert '0': muss eine ganze Zahl >= 1 sein
    """
    problems: list[Problem] = []
    data = _load_yaml(text, file, problems)
    if problems:
        raise ScenarioError(problems, file)
    scenario = _Parser(file, problems).parse(data)
    if assessment is not None:
        problems.extend(validate_scenario(scenario, assessment))
    if problems:
        raise ScenarioError(problems, file)
    return scenario


def _load_yaml(text: str, file: str, problems: list[Problem]) -> dict:
    import yaml

    def mapping(loader, node):
        result = loader.construct_mapping(node, deep=True)
        result[_LINE] = node.start_mark.line + 1
        return result

    def string(loader, node):
        value = _Text(loader.construct_scalar(node))
        value.line = node.start_mark.line + 1
        return value

    data, error = None, None
    # libyaml's parser where it is there (ten times faster); the pure-Python one has the last word on errors
    for base in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader) if text.strip() else ():
        if base is None:
            continue

        class Loader(base):  # type: ignore[valid-type, misc]
            pass

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
        Loader.add_constructor("tag:yaml.org,2002:str", string)
        try:
            data, error = yaml.load(text, Loader=Loader), None  # noqa: S506 - a safe loader
            break
        except yaml.YAMLError as exc:
            error = exc
    if error is not None:
        problems.append(Problem(file, None, None, None, yaml_message(error)))
        return {}
    if data is None:
        problems.append(Problem(file, None, None, None, "Datei ist leer"))
    elif not isinstance(data, dict):
        problems.append(Problem(file, None, None, None, "muss eine Zuordnung (key: value) sein"))
    return data if isinstance(data, dict) else {}


def _cell(value: object, key: str = "") -> str:
    """A YAML value as the text of a CSV cell (tags as lists or mappings allowed)."""
    if value is None:
        return ""
    if key == "tags" and isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if key == "tags" and isinstance(value, dict):
        return ";".join(f"{k}={v}" if v not in (None, "") else str(k) for k, v in value.items() if k != _LINE)
    if isinstance(value, bool):
        return "true" if value else "false"
    if key.endswith("reason") or key in ("description", "note"):
        return " ".join(str(value).split())
    return str(value).strip()


class _Parser:
    """Reads the structure of a scenario; reuses the row validation of :mod:`grundschutz.io.tables`."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        self.lines: dict[tuple, int] = {}

    def bad(self, line: int | None, column: str | None, value: object, message: str) -> None:
        shown = None if value is None else _cell(value)
        self.problems.append(Problem(self.file, line, column, shown, message))

    def entries(self, data: Mapping, key: str, where: str, line: int | None) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(line, where, None, "muss eine Liste sein")
            return []
        return value

    def rows(self, items: list, where: str, keys: tuple[str, ...], required: tuple[str, ...], line: int | None):
        """``(line, row)`` per entry: every key of ``keys`` as text; unknown and missing keys reported."""
        rows = []
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                self.bad(getattr(item, "line", line), f"{where}[{index}]", item, "muss eine Zuordnung sein")
                continue
            at = item.get(_LINE)
            for key in sorted((str(k) for k in item if k != _LINE and k not in keys)):
                self.bad(at, where, None, unknown_name("unbekannter Schlüssel", key, keys))
            missing = [k for k in required if _cell(item.get(k), k) == ""]
            for key in missing:
                self.bad(at, key, None, "Angabe fehlt")
            if not missing:
                rows.append((at, {k: _cell(item.get(k), k) for k in keys}, item))
        return rows

    def parse(self, data: dict) -> Scenario:
        top = data.get(_LINE)
        for key in sorted((k for k in data if k != _LINE and k not in _TOP_KEYS), key=str):
            self.bad(getattr(key, "line", top), None, None, unknown_name("unbekannter Schlüssel", str(key), _TOP_KEYS))
        sections = {}
        for name, parts in _SECTIONS.items():
            raw = data.get(name)
            if raw is not None and not isinstance(raw, dict):
                self.bad(top, name, None, f"muss eine Zuordnung mit {', '.join(parts)} sein")
                raw = None
            raw = raw or {}
            for key in sorted(str(k) for k in raw if k != _LINE and k not in parts):
                self.bad(raw.get(_LINE), name, None, unknown_name("unbekannter Schlüssel", key, parts))
            sections[name] = {part: self.entries(raw, part, f"{name}.{part}", raw.get(_LINE)) for part in parts}
        applications = self.ids(data, "applications", "application", top)
        if "applications" not in data or not applications and isinstance(data.get("applications"), list):
            self.bad(top, "applications", None, "Angabe fehlt: mindestens eine Anwendung, um die es im Szenario geht")
        objects = self.add_objects(sections["add"]["objects"])
        dependencies = self.add_dependencies(sections["add"]["dependencies"])
        needs, overrides = self.add_needs(sections["add"]["needs"])
        name = data.get("name")
        return Scenario(
            name=_cell(name) or Path(self.file).stem,
            description=" ".join(_cell(data.get("description")).split()),
            applications=applications,
            add_objects=objects,
            add_dependencies=dependencies,
            add_needs=needs,
            add_overrides=overrides,
            remove_objects=self.ids(sections["remove"], "objects", "remove", top),
            remove_dependencies=self.remove_dependencies(sections["remove"]["dependencies"]),
            change_objects=self.change_objects(sections["change"]["objects"]),
            change_needs=self.change_needs(sections["change"]["needs"]),
            bausteine=self.bausteine(self.entries(data, "bausteine", "bausteine", top)),
            check=self.check(self.entries(data, "check", "check", top)),
            file=self.file,
            lines=self.lines,
        )

    def ids(self, data: Mapping, key: str, kind: str, line: int | None) -> tuple[str, ...]:
        found: list[str] = []
        for value in self.entries(data, key, key if kind != "remove" else "remove.objects", line):
            at = getattr(value, "line", line)
            if isinstance(value, dict | list) or _cell(value) == "":
                self.bad(at, key, value if not isinstance(value, dict | list) else None, "Objekt-ID erwartet")
            elif _cell(value) in found:
                self.bad(at, key, value, "Objekt-ID doppelt angegeben")
            else:
                found.append(_cell(value))
                self.lines[(kind, _cell(value))] = at
        return tuple(found)

    def add_objects(self, items: list) -> tuple[TargetObject, ...]:
        rows = self.rows(items, "add.objects", _OBJECT_KEYS, ("id", "type"), None)
        table = Table(self.file, _OBJECT_KEYS, tuple((line, row) for line, row, _ in rows))
        objects, _ = objects_from_table(table, self.problems)
        for line, row, _ in rows:
            self.lines.setdefault(("object", row["id"]), line)
        return tuple(objects.values())

    def add_dependencies(self, items: list) -> tuple[Dependency, ...]:
        rows = self.rows(items, "add.dependencies", _DEPENDENCY_KEYS, ("object", "depends_on"), None)
        table = Table(self.file, _DEPENDENCY_KEYS, tuple((line, row) for line, row, _ in rows))
        known = {row[k] for _, row, _ in rows for k in ("object", "depends_on")}
        for line, row, _ in rows:
            self.lines.setdefault(("dependency", row["object"], row["depends_on"]), line)
        return dependencies_from_table(table, known, self.problems)

    def add_needs(self, items: list) -> tuple[dict, dict]:
        rows = self.rows(items, "add.needs", _NEED_KEYS, ("object",), None)
        table = Table(self.file, _NEED_KEYS, tuple((line, row) for line, row, _ in rows))
        for line, row, _ in rows:
            self.lines.setdefault(("need", row["object"]), line)
        return needs_from_table(table, {row["object"] for _, row, _ in rows}, self.problems)

    def remove_dependencies(self, items: list) -> tuple[tuple[str, str], ...]:
        found = []
        for line, row, _ in self.rows(items, "remove.dependencies", ("object", "depends_on"), ("object", "depends_on"),
                                      None):
            key = (row["object"], row["depends_on"])
            if key in found:
                self.bad(line, "depends_on", key[1], f"Abhängigkeit {key[0]} -> {key[1]} doppelt angegeben")
                continue
            found.append(key)
            self.lines[("remove_dependency", *key)] = line
        return tuple(found)

    def change_objects(self, items: list) -> tuple[ObjectChange, ...]:
        changes: list[ObjectChange] = []
        for line, row, item in self.rows(items, "change.objects", _OBJECT_KEYS, ("id",), None):
            given = [k for k in _OBJECT_KEYS[1:] if k in item]
            fields: dict[str, object] = {}
            if not given:
                self.bad(line, "id", row["id"], "keine Änderung angegeben (type, name, description, tags oder count)")
            if any(c.id == row["id"] for c in changes):
                self.bad(line, "id", row["id"], "Objekt doppelt in change.objects")
                continue
            for key in given:
                try:
                    if key == "type":
                        fields[key] = ObjectType.parse(row[key])
                    elif key == "count":
                        fields[key] = positive_int(row[key] or "1")
                    elif key == "tags":
                        fields[key] = parse_tags(row[key])
                        if "" in fields[key]:
                            raise ValueError("Tag ohne Namen vor '='")
                    elif key == "name" and not row[key]:
                        raise ValueError("Name darf nicht leer sein")
                    else:
                        fields[key] = row[key]
                except ValueError as exc:
                    self.bad(line, key, row[key], str(exc))
            changes.append(ObjectChange(row["id"], fields, line))
            self.lines[("change", row["id"])] = line
        return tuple(changes)

    def change_needs(self, items: list) -> tuple[NeedChange, ...]:
        changes: list[NeedChange] = []
        for line, row, item in self.rows(items, "change.needs", _NEED_KEYS, ("object",), None):
            effect = None
            if row["effect"]:
                try:
                    effect = Effect(row["effect"].lower())
                except ValueError:
                    self.bad(line, "effect", row["effect"],
                             "unbekannter Effekt (erlaubt: manual, cumulation, distribution; leer = festgestellt)")
                    continue
            if any(c.object == row["object"] and c.effect == effect for c in changes):
                self.bad(line, "object", row["object"], "Schutzbedarf des Objekts doppelt in change.needs")
                continue
            levels: dict[BasicValue, Level | None] = {}
            reasons: dict[BasicValue, str] = {}
            for value in BASIC_VALUES:
                if value.value not in item:
                    continue
                levels[value] = None
                if row[value.value]:
                    try:
                        levels[value] = Level.parse(row[value.value])
                    except ValueError as exc:
                        self.bad(line, value.value, row[value.value], str(exc))
                        continue
                    reasons[value] = row[f"{value.value}_reason"]
                    if not reasons[value]:
                        self.bad(line, f"{value.value}_reason", "", f"Änderung von {value.value} ohne Begründung")
            if not levels:
                self.bad(line, "object", row["object"], "keine Änderung angegeben (confidentiality, integrity "
                                                        "oder availability)")
            changes.append(NeedChange(row["object"], levels, reasons, effect, line))
            self.lines[("change_need", row["object"])] = line
        return tuple(changes)

    def bausteine(self, items: list) -> tuple[ModellingChange, ...]:
        found: list[ModellingChange] = []
        for line, row, _ in self.rows(items, "bausteine", _BAUSTEIN_KEYS, ("object", "baustein", "reason"), None):
            action = _ACTIONS.get((row["action"] or "add").lower())
            if action is None:
                self.bad(line, "action", row["action"], "unbekannte Aktion (erlaubt: add, remove)")
                continue
            if any((b.object, b.baustein) == (row["object"], row["baustein"]) for b in found):
                self.bad(line, "baustein", row["baustein"], f"{row['baustein']} für {row['object']} doppelt angegeben")
                continue
            found.append(ModellingChange(row["object"], row["baustein"], action, row["reason"], line, self.file))
        return tuple(found)

    def check(self, items: list):
        rows = self.rows(items, "check", _CHECK_KEYS, ("object", "requirement", "status"), None)
        table = Table(self.file, _CHECK_KEYS, tuple((line or 0, row) for line, row, _ in rows))
        return check_records(table, ANY_OBJECT, self.problems)


def validate_scenario(scenario: Scenario, assessment: Assessment) -> list[Problem]:
    """Every problem of ``scenario`` against ``assessment``: unknown or removed ids,
    objects that exist already, dependencies that do or do not exist, needs set twice."""
    problems: list[Problem] = []
    line = scenario.lines.get

    def bad(at: int | None, column: str, value: str, message: str) -> None:
        problems.append(Problem(scenario.file, at, column, value, message))

    base = assessment.objects
    removed = set(scenario.remove_objects)
    added = {o.id: o for o in scenario.add_objects}
    result = (set(base) - removed) | set(added)

    def unknown(object_id: str) -> str:
        return "Objekt wird im Szenario entfernt" if object_id in removed else "unbekannte Objekt-ID"

    for object_id in scenario.applications:
        obj = added.get(object_id) or base.get(object_id)
        if object_id not in result:
            bad(line(("application", object_id)), "applications", object_id, unknown(object_id))
        elif obj.type is not ObjectType.APPLICATION:
            bad(line(("application", object_id)), "applications", object_id,
                f"ist keine Anwendung (Typ {obj.type.value})")
    for object_id in added:
        if object_id in base:
            bad(line(("object", object_id)), "id", object_id,
                "Objekt-ID gibt es bereits in der Bewertung (zum Ändern change.objects verwenden)")
    for object_id in scenario.remove_objects:
        if object_id not in base:
            bad(line(("remove", object_id)), "objects", object_id, "unbekannte Objekt-ID")
    edges = {(d.source, d.target) for d in assessment.dependencies}
    for source, target in scenario.remove_dependencies:
        if (source, target) not in edges:
            bad(line(("remove_dependency", source, target)), "depends_on", target,
                f"Abhängigkeit {source} -> {target} gibt es in der Bewertung nicht")
    for d in scenario.add_dependencies:
        at = line(("dependency", d.source, d.target))
        for column, object_id in (("object", d.source), ("depends_on", d.target)):
            if object_id not in result:
                bad(at, column, object_id, unknown(object_id))
        if (d.source, d.target) in edges and (d.source, d.target) not in scenario.remove_dependencies:
            bad(at, "depends_on", d.target, f"Abhängigkeit {d.source} -> {d.target} gibt es bereits")
    for kind, given, existing in (("festgestellt", scenario.add_needs, assessment.needs),
                                  ("überschrieben", scenario.add_overrides, assessment.overrides)):
        for object_id, values in given.items():
            at = line(("need", object_id))
            if object_id not in result:
                bad(at, "object", object_id, unknown(object_id))
                continue
            for value in values:
                if object_id not in removed and value in existing.get(object_id, {}):
                    bad(at, value.value, values[value].level.label,
                        f"{value.value} von {object_id} ist bereits {kind} (needs.csv); zum Ändern change.needs "
                        "verwenden")
    for change in scenario.change_objects:
        if change.id not in base or change.id in removed:
            bad(change.line, "id", change.id, unknown(change.id) if change.id in removed or change.id not in added
                else "Objekt wird im Szenario hinzugefügt; Felder dort angeben")
    for change in scenario.change_needs:
        if change.object not in base or change.object in removed:
            bad(change.line, "object", change.object, unknown(change.object) if change.object not in added
                else "Objekt wird im Szenario hinzugefügt; Schutzbedarf unter add.needs angeben")
    verbund = [o.id for o in assessment.objects.values()
               if o.type is ObjectType.INFORMATIONSVERBUND] or [INFORMATIONSVERBUND_ID]
    for item in (*scenario.bausteine, *scenario.check):
        if item.object not in result and item.object not in verbund:
            bad(item.row, "object", item.object, unknown(item.object))
    return problems


def read_scenarios(folder: Path, assessment: Assessment, problems: list[Problem]) -> dict[str, Scenario]:
    """Every ``scenarios/*.yaml`` of an assessment folder, by file name without
    ``.yaml`` (the name the command line takes), checked against ``assessment``.

    The problems of all files are appended to ``problems``; a file with
    problems is left out of the result.
    """
    from grundschutz.io.text import decode_text

    found: dict[str, Scenario] = {}
    directory = folder / SCENARIO_DIR
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else ():
        label = f"{SCENARIO_DIR}/{path.name}"
        try:
            scenario = parse_scenario(decode_text(path.read_bytes(), label), label, assessment=assessment)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        except AssessmentError as exc:  # not UTF-8
            problems.extend(exc.problems)
            continue
        found[path.stem] = scenario
    return found
