"""Scenarios: overlays on an assessment and what they change (BSI 200-2 planning).

A scenario is a YAML file ``scenarios/<name>.yaml`` in an assessment folder. It
describes a planned change - Teleheimarbeit, a new server landscape - as an
overlay on the assessment; the assessment itself is never changed.
:func:`apply_scenario` returns a *new* :class:`~grundschutz.model.assessment.Assessment`,
:func:`analyse_scenario` computes Schutzbedarf, Modellierung, requirements and
check for it, :func:`compare` sets it against the baseline and gives a verdict
per application. :func:`run_scenario` does all of it in one call.

The file format (every key but ``applications`` is optional)::

    name: teleheimarbeit                # default: the file name
    description: Beschäftigte arbeiten tageweise zu Hause.
    applications: [APP-43, APP-16]     # the applications the scenario is about:
                                        # one verdict each (read by the work plan)
    add:
      objects:                          # columns of objects.csv
        - {id: NET-20, type: network, name: Heimnetze, tags: [extern], count: 40}
      dependencies:                     # columns of dependencies.csv
        - {object: CL-02, depends_on: NET-20, note: Internetzugang zu Hause}
      needs:                            # columns of needs.csv; an override needs
        - object: NET-20                # effect and a reason, as in needs.csv
          confidentiality: normal
          confidentiality_reason: Nur VPN-verschlüsselter Verkehr.
          effect: manual
    remove:
      objects: [SRV-25]                 # removes its dependencies, needs, overrides too
      dependencies:
        - {object: APP-54, depends_on: SRV-25}
    change:
      objects:                          # id plus the fields that change; tags are
        - {id: CL-02, count: 70}        # replaced as a whole
      needs:                            # a basic value given replaces the baseline's,
        - object: APP-59                # an empty one removes it; every value set
          availability: hoch            # needs its reason
          availability_reason: Ohne DMS keine Rechnungsbearbeitung.
    bausteine:                          # hand changes of the Modellierung (like
      - object: NET-20                  # modelling.csv); action add (default) or remove
        baustein: NET.1.1
        action: remove
        reason: Private Heimnetze gestaltet die Stadt nicht.
    check:                              # columns of check.csv: the status of
      - object: IV                      # requirements in the scenario (on top of check.csv)
        requirement: OPS.1.2.4.A1
        status: ja
        note: Dienstvereinbarung Telearbeit

Tags may be written as in ``objects.csv`` (``"a;b=c"``), as a list or as a
mapping. Every problem of a file is reported at once, with its line
(:class:`ScenarioError`).

What blocks an application ``X`` (:func:`compare`): its *scope* is ``X`` and
every object it depends on, transitively, in the scenario's graph. A
requirement blocks ``X`` if it is selected in the scenario for an object of
the scope, is not ``ja``/``entbehrlich`` in the check, and is new through the
scenario (new object, new Baustein, or an H requirement newly selected because
a need rose); the scenario's new requirements of the Informationsverbund
(e.g. OPS.1.2.4) block every application. Requirements that are open in the
baseline's check already are counted per application (``baseline_open``) but
do not block; with ``include_baseline=True`` every open requirement of the
scope and of the Informationsverbund blocks.

A risk analysis is *made necessary* by the scenario for an object that needs
one in the scenario (:func:`grundschutz.method.risk.flag_objects`: ``sehr hoch``,
``hoch``, no fitting Baustein, tag ``atypisch``) but not in the baseline, or
for a reason the baseline did not have (e.g. newly ``sehr hoch``). It holds up ``X`` if the object is in ``X``'s scope and the reason applies to
``X``: no Baustein, ``atypisch``, a high need that arises at the object itself
(its own assessment, an override, cumulation), or a high need that ``X``
itself has in that basic value - a notebook that is ``hoch`` only because of
another application does not hold up an application of normal need.

Verdicts per application, in this order: ``nicht vor der
Schutzbedarfsfeststellung`` (``X`` is unrated in a basic value), ``nicht vor
einer Risikoanalyse`` (naming the objects), ``bereit, sobald N Anforderungen
umgesetzt sind`` (naming them), ``bereit``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from grundschutz.method.analysis import Analysis, analyse
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem
from grundschutz.io.inventory import (
    Table,
    dependencies_from_table,
    needs_from_table,
    objects_from_table,
    positive_int,
    decode_text,
    parse_tags,
)
from grundschutz.method.scenario_compare import (
    RiskFlag,
    ScenarioResult,
    blocking_frame,
    blocking_records,
    compare,
    risk_flags,
    scenario_change_frame,
    scenario_change_records,
    verdict_frame,
    verdict_records,
)
from grundschutz.model.assessment import (
    BASIC_VALUES,
    Assessment,
    BasicValue,
    Dependency,
    Effect,
    Level,
    Need,
    ObjectType,
    Override,
    TargetObject,
)

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


class ScenarioError(AssessmentError):
    """A scenario file is invalid or does not fit its assessment; ``problems`` lists every problem."""


class _Text(str):
    """A string from the YAML file that knows its line."""

    line: int | None = None


# --------------------------------------------------------------------------- the definition


@dataclass(frozen=True)
class ObjectChange:
    """``change.objects``: the fields of an object that change (``type``, ``name``, ...)."""

    id: str
    fields: Mapping[str, object]
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))


@dataclass(frozen=True)
class NeedChange:
    """``change.needs``: new levels (``None`` = remove) with reasons; ``effect`` for an override."""

    object: str
    levels: Mapping[BasicValue, Level | None]
    reasons: Mapping[BasicValue, str]
    effect: Effect | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", MappingProxyType(dict(self.levels)))
        object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))


@dataclass(frozen=True)
class ScenarioBaustein:
    """``bausteine``: a Baustein added to (or removed from) an object by hand."""

    object: str
    baustein: str
    reason: str
    action: str = "add"
    line: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file (:func:`parse_scenario`). ``lines`` maps
    ``(section, id...)`` to the line in the file, for messages."""

    name: str
    description: str = ""
    applications: tuple[str, ...] = ()
    add_objects: tuple[TargetObject, ...] = ()
    add_dependencies: tuple[Dependency, ...] = ()
    add_needs: Mapping[str, Mapping[BasicValue, Need]] = field(default_factory=dict)
    add_overrides: Mapping[str, Mapping[BasicValue, Override]] = field(default_factory=dict)
    remove_objects: tuple[str, ...] = ()
    remove_dependencies: tuple[tuple[str, str], ...] = ()
    change_objects: tuple[ObjectChange, ...] = ()
    change_needs: tuple[NeedChange, ...] = ()
    bausteine: tuple[ScenarioBaustein, ...] = ()
    check_rows: tuple[tuple[int, Mapping[str, str]], ...] = ()
    file: str = ""
    lines: Mapping[tuple, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("add_needs", "add_overrides"):
            value = getattr(self, name)
            object.__setattr__(self, name, MappingProxyType({k: MappingProxyType(dict(v)) for k, v in value.items()}))
        object.__setattr__(self, "lines", MappingProxyType(dict(self.lines)))

    @property
    def new_objects(self) -> tuple[str, ...]:
        """Ids of the objects the scenario adds."""
        return tuple(o.id for o in self.add_objects)


def scenario_path(assessment_dir: str | Path, name: str) -> Path:
    """``<assessment>/scenarios/<name>.yaml`` (``name`` may end in ``.yaml``)."""
    folder = Path(assessment_dir)
    folder = folder.parent if folder.is_file() else folder
    stem = name[:-5] if name.endswith(".yaml") else name
    return folder / SCENARIO_DIR / f"{stem}.yaml"


def list_scenarios(assessment_dir: str | Path) -> list[dict[str, object]]:
    """The scenarios of an assessment: ``name``, ``description``, ``applications``
    (read without validation; a broken file is listed with ``fehlerhaft``)."""
    import yaml

    folder = scenario_path(assessment_dir, "x").parent
    found = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(decode_text(path.read_bytes(), path.name)) or {}
        except (yaml.YAMLError, AssessmentError) as exc:
            data = {"description": f"fehlerhaft: {str(exc).splitlines()[0]}"}
        data = data if isinstance(data, dict) else {"description": "fehlerhaft: keine Zuordnung"}
        apps = data.get("applications")
        found.append({"name": path.stem, "description": " ".join(str(data.get("description") or "").split()),
                      "applications": [str(a) for a in apps] if isinstance(apps, list) else []})
    return found


def read_scenario(assessment_dir: str | Path, name: str, *, assessment: Assessment | None = None,
                  kompendium=None) -> Scenario:
    """Read ``scenarios/<name>.yaml`` of an assessment folder (see :func:`parse_scenario`)."""
    path = scenario_path(assessment_dir, name)
    label = f"{SCENARIO_DIR}/{path.name}"
    if not path.is_file():
        known = ", ".join(s["name"] for s in list_scenarios(assessment_dir)) or "keine"
        raise ScenarioError([Problem(label, None, None, None, f"Szenario '{path.stem}' nicht gefunden "
                                                             f"(vorhanden: {known})")], label)
    return parse_scenario(decode_text(path.read_bytes(), label), label, assessment=assessment, kompendium=kompendium)


def parse_scenario(text: str, file: str = "scenario.yaml", *, assessment: Assessment | None = None,
                   kompendium=None) -> Scenario:
    """Parse and validate the YAML text of a scenario (pure).

    With ``assessment`` every id is checked against it, with ``kompendium``
    every Baustein. Raises :class:`ScenarioError` listing every problem.

    >>> parse_scenario("applications: [A]\\nadd:\\n  objects:\\n    - {id: N, type: client, count: 0}\\n", "s.yaml")
    Traceback (most recent call last):
    ...
    grundschutz.method.scenario.ScenarioError: 1 Fehler in s.yaml:
      s.yaml, Zeile 4, Spalte 'count', Wert '0': muss eine ganze Zahl >= 1 sein
    """
    problems: list[Problem] = []
    data = _load_yaml(text, file, problems)
    if problems:
        raise ScenarioError(problems, file)
    scenario = _Parser(file, problems).parse(data, kompendium)
    if assessment is not None:
        problems.extend(validate_scenario(scenario, assessment))
    if problems:
        raise ScenarioError(problems, file)
    return scenario


def _load_yaml(text: str, file: str, problems: list[Problem]) -> dict:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        result = loader.construct_mapping(node, deep=True)
        result[_LINE] = node.start_mark.line + 1
        return result

    def string(loader, node):
        value = _Text(loader.construct_scalar(node))
        value.line = node.start_mark.line + 1
        return value

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor("tag:yaml.org,2002:str", string)
    try:
        data = yaml.load(text, Loader=Loader) if text.strip() else None  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (Zeile {mark.line + 1}, Spalte {mark.column + 1})" if mark else ""
        problems.append(Problem(file, None, None, None,
                                f"YAML fehlerhaft{where}: {getattr(exc, 'problem', None) or exc}"))
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
    """Reads the structure of a scenario; reuses the row validation of :mod:`grundschutz.io.inventory`."""

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
                self.bad(at, key, None, f"unbekannter Schlüssel in {where} (erlaubt: {', '.join(keys)})")
            missing = [k for k in required if _cell(item.get(k), k) == ""]
            for key in missing:
                self.bad(at, key, None, "Angabe fehlt")
            if not missing:
                rows.append((at, {k: _cell(item.get(k), k) for k in keys}, item))
        return rows

    def parse(self, data: dict, kompendium) -> Scenario:
        top = data.get(_LINE)
        for key in sorted(str(k) for k in data if k != _LINE and k not in _TOP_KEYS):
            self.bad(top, key, None, f"unbekannter Schlüssel (erlaubt: {', '.join(_TOP_KEYS)})")
        sections = {}
        for name, parts in _SECTIONS.items():
            raw = data.get(name)
            if raw is not None and not isinstance(raw, dict):
                self.bad(top, name, None, f"muss eine Zuordnung mit {', '.join(parts)} sein")
                raw = None
            raw = raw or {}
            for key in sorted(str(k) for k in raw if k != _LINE and k not in parts):
                self.bad(raw.get(_LINE), f"{name}.{key}", None, f"unbekannter Schlüssel (erlaubt: {', '.join(parts)})")
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
            bausteine=self.bausteine(self.entries(data, "bausteine", "bausteine", top), kompendium),
            check_rows=self.check(self.entries(data, "check", "check", top)),
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

    def bausteine(self, items: list, kompendium) -> tuple[ScenarioBaustein, ...]:
        found: list[ScenarioBaustein] = []
        for line, row, _ in self.rows(items, "bausteine", _BAUSTEIN_KEYS, ("object", "baustein", "reason"), None):
            action = _ACTIONS.get((row["action"] or "add").lower())
            if action is None:
                self.bad(line, "action", row["action"], "unbekannte Aktion (erlaubt: add, remove)")
                continue
            if kompendium is not None and row["baustein"] not in kompendium.bausteine:
                requirement = row["baustein"] in kompendium.requirements
                hint = " (das ist eine Anforderung, kein Baustein)" if requirement else ""
                self.bad(line, "baustein", row["baustein"], f"Baustein gibt es im Kompendium nicht{hint}")
                continue
            if any((b.object, b.baustein) == (row["object"], row["baustein"]) for b in found):
                self.bad(line, "baustein", row["baustein"], f"{row['baustein']} für {row['object']} doppelt angegeben")
                continue
            found.append(ScenarioBaustein(row["object"], row["baustein"], row["reason"], action, line))
        return tuple(found)

    def check(self, items: list) -> tuple[tuple[int, Mapping[str, str]], ...]:
        rows = self.rows(items, "check", _CHECK_KEYS, ("object", "requirement", "status"), None)
        return tuple((line or 0, MappingProxyType(row)) for line, row, _ in rows)


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
    verbund = [o.id for o in assessment.objects.values() if o.type is ObjectType.INFORMATIONSVERBUND] or ["IV"]
    for item in scenario.bausteine:
        if item.object not in result and item.object not in verbund:
            bad(item.line, "object", item.object, unknown(item.object))
    return problems


def apply_scenario(assessment: Assessment, scenario: Scenario) -> Assessment:
    """The assessment with the scenario applied, as a new object; ``assessment`` is unchanged.

    Removing an object removes its dependencies, needs and overrides as well.
    Raises :class:`ScenarioError` if the scenario does not fit the assessment.
    """
    problems = validate_scenario(scenario, assessment)
    if problems:
        raise ScenarioError(problems, scenario.file)
    removed = set(scenario.remove_objects)
    objects = {i: o for i, o in assessment.objects.items() if i not in removed}
    for change in scenario.change_objects:
        objects[change.id] = dataclasses.replace(objects[change.id], **change.fields)
    objects.update((o.id, o) for o in scenario.add_objects)
    gone = set(scenario.remove_dependencies)
    dependencies = tuple(
        d for d in assessment.dependencies
        if d.source not in removed and d.target not in removed and (d.source, d.target) not in gone
    ) + scenario.add_dependencies
    needs = {k: dict(v) for k, v in assessment.needs.items() if k not in removed}
    overrides = {k: dict(v) for k, v in assessment.overrides.items() if k not in removed}
    for target, given in ((needs, scenario.add_needs), (overrides, scenario.add_overrides)):
        for object_id, values in given.items():
            target.setdefault(object_id, {}).update(values)
    for change in scenario.change_needs:
        target = overrides if change.effect else needs
        values = target.setdefault(change.object, {})
        for value, level in change.levels.items():
            if level is None:
                values.pop(value, None)
            elif change.effect:
                values[value] = Override(level, change.reasons[value], change.effect)
            else:
                values[value] = Need(level, change.reasons[value])
    overrides = {k: v for k, v in overrides.items() if v}
    source = f"{assessment.source or assessment.settings.name} + Szenario {scenario.name}"
    return Assessment(assessment.settings, objects, dependencies, needs, overrides, source)


# --------------------------------------------------------------------------- analysis


def analyse_scenario(baseline: Analysis, scenario: Scenario) -> Analysis:
    """The :class:`~grundschutz.method.analysis.Analysis` of the scenario, with the baseline's catalog.

    Like :func:`~grundschutz.method.analysis.analyse` for the scenario's assessment,
    except that ``modelling.csv`` rows of removed objects are left out, the
    scenario's ``bausteine`` are added hand changes, and the check keeps the
    rows of ``check.csv`` whose requirement is still selected plus the
    scenario's ``check`` rows (which win).
    """
    from grundschutz.method.check import build_check, parse_check
    from grundschutz.method.modelling import (
        ModellingOverride,
        model_assessment,
        parse_modelling_overrides,
        read_optional_table,
        select_requirements,
    )
    from grundschutz.method.propagation import propagate

    assessment = apply_scenario(baseline.assessment, scenario)
    propagation = propagate(assessment)
    if baseline.catalog is not None and baseline.assessment.settings.edition == "grundschutz++":
        raise GrundschutzError("Szenarien mit Modellierung sind für Grundschutz++ (Zielobjekt-Kategorien) noch "
                               "nicht umgesetzt; nur der Schutzbedarf lässt sich vergleichen (analyse ohne Katalog).")
    if baseline.catalog is None:
        return Analysis(baseline.path, assessment, propagation)
    kompendium = baseline.kompendium
    folder = baseline.path if baseline.path.is_dir() else baseline.path.parent
    table = read_optional_table(folder, "modelling")
    hand = parse_modelling_overrides(table, baseline.assessment, kompendium, str(folder)) if table else ()
    removed = set(scenario.remove_objects)
    extra = tuple(ModellingOverride(b.object, b.baustein, b.action, b.reason, b.line, scenario.file)
                  for b in scenario.bausteine)
    modelling = model_assessment(assessment, kompendium, overrides=tuple(o for o in hand if o.object not in removed)
                                 + extra)
    selection = select_requirements(modelling, propagation, kompendium, baseline.selection.variant)
    rows = {}
    for entry in baseline.check:
        if entry.row is not None and selection.get(entry.object, entry.requirement) is not None:
            rows[(entry.object, entry.requirement)] = (entry.row, _entry_row(entry))
    if scenario.check_rows:
        try:
            own = parse_check(Table(scenario.file, _CHECK_KEYS, scenario.check_rows), selection, kompendium,
                              scenario.file)
        except AssessmentError as exc:
            raise ScenarioError(exc.problems, scenario.file) from None
        rows.update(((e.object, e.requirement), (e.row, _entry_row(e))) for e in own if e.row is not None)
    check = build_check(selection, rows, f"{baseline.check.source} + {scenario.file}")
    return Analysis(baseline.path, assessment, propagation, baseline.catalog, modelling, selection, check)


def _entry_row(entry) -> dict[str, object]:
    return {"status": entry.status, "note": entry.note, "responsible": entry.responsible, "due": entry.due,
            "checked_on": entry.checked_on}


def run_scenario(path: str | Path, name: str, catalogs: str | Path | None = None, *,
                 include_baseline: bool = False) -> ScenarioResult:
    """Read the assessment at ``path`` and its scenario ``name``, analyse both and compare them.

    The one library call behind ``grundschutz scenario DIR NAME``.
    """
    read_scenario(path, name)  # a missing or malformed file fails before anything is computed
    baseline = analyse(path, catalogs)
    scenario = read_scenario(path, name, assessment=baseline.assessment, kompendium=baseline.kompendium)
    return compare(baseline, analyse_scenario(baseline, scenario), scenario, include_baseline=include_baseline)


__all__ = [
    "NeedChange", "ObjectChange", "RiskFlag", "Scenario", "ScenarioBaustein", "ScenarioError", "ScenarioResult",
    "analyse_scenario", "apply_scenario", "blocking_frame", "blocking_records", "compare", "list_scenarios",
    "parse_scenario", "read_scenario", "risk_flags", "run_scenario", "scenario_change_frame",
    "scenario_change_records", "scenario_path", "validate_scenario", "verdict_frame", "verdict_records",
]

