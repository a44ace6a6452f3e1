"""Rule files of the Modellierung: reading and checking ``modelling.yaml`` and ``gspp_modelling.yaml``.

Both files have the same shape: a mapping with ``edition`` and a list
``rules``. Every rule has an ``id``, an object selector (``type`` and the tag
conditions ``all``/``any``/``none``), optionally ``when_present`` (a second
selector) and ``covered``, and a ``reason``. Only what a rule assigns differs
(``bausteine``; ``categories`` and ``general``): a :class:`RuleSchema` per
edition parses those keys and builds the rule (the rule types are in
:mod:`grundschutz.model.rules`). The Kompendium rules also know the graph
conditions ``depends_on``/``used_by`` (in every selector, nested),
``when_absent``, ``uncovered`` and ``scope`` (quotes of "Abgrenzung und
Modellierung"), and the file has the sections ``target_types`` and ``hints``.

:func:`parse_rule_file` does the shared part: YAML with the line of every
mapping, unknown keys, ids, selectors, duplicate ids. :func:`parse_modelling_rules`
and :func:`parse_gspp_rules` add the edition check and, given the catalog, the
check that every Baustein or category exists. Problems carry the line of the
rule; :class:`~grundschutz.model.errors.RulesError` lists them all. The
toolkit's own files are read with
:func:`~grundschutz.catalog.modelling_rules.read_modelling_rules` (the
Kompendium part lives in :mod:`grundschutz.catalog.modelling_rules`) and
:func:`read_gspp_rules` (installed as the package ``grundschutz.rules``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from grundschutz.catalog.gspp_controls import GsppCatalog

from grundschutz.model.errors import Problem, RulesError, os_read_reason, unknown_name
from grundschutz.model.levels import ObjectType
from grundschutz.model.library_errors import yaml_problem
from grundschutz.model.rules import (
    GSPP_RULES_FILE,
    CategoryRule,
    GsppRules,
    ObjectSelector,
    RuleSetBase,
    TagSelector,
)

#: Rule keys every edition knows; a :class:`RuleSchema` adds its own.
COMMON_RULE_KEYS = frozenset({"id", "type", "all", "any", "none", "when_present", "covered", "reason"})
#: Keys of an object selector (a rule's own, or its ``when_present``).
SELECTOR_KEYS = frozenset({"type", "all", "any", "none"})
#: Keys of a selector that look at the dependency graph (Kompendium rules only).
GRAPH_KEYS = frozenset({"depends_on", "used_by"})
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Key under which the YAML loader stores the (1-based) line of every mapping.
LINE = "\0line"

#: Reports a problem of one rule: ``bad(key, value or None, message)``.
Bad = Callable[[str, object, str], None]
R = TypeVar("R")


# --------------------------------------------------------------------------- selectors


def parse_selector(raw: Mapping, bad: Bad, graph: bool = False) -> ObjectSelector:
    """The selector of ``type``, ``all``, ``any`` and ``none`` in ``raw``; problems go to ``bad``.

    With ``graph`` also ``depends_on`` and ``used_by`` (each a nested selector).
    """
    types: set[ObjectType] = set()
    for value in as_list(raw["type"]) if raw.get("type") is not None else ():
        try:
            types.add(ObjectType.parse(str(value)))
        except ValueError as exc:
            bad("type", value, str(exc))
    parts = {}
    for key in ("all", "any", "none"):
        selectors = []
        if key in raw:
            values = as_list(raw[key])
            if not values:
                bad(key, "", "leere Liste")
            for value in values:
                if not isinstance(value, str | int):
                    bad(key, value, "Tag muss ein Text sein ('key' oder 'key=wert')")
                    continue
                try:
                    selectors.append(TagSelector.parse(str(value)))
                except ValueError as exc:
                    bad(key, value, str(exc))
        parts[key] = tuple(selectors)
    neighbours = {key: parse_sub_selector(raw, key, bad, graph) for key in sorted(GRAPH_KEYS) if graph}
    return ObjectSelector(frozenset(types), parts["all"], parts["any"], parts["none"], **neighbours)


def parse_sub_selector(raw: Mapping, key: str, bad: Bad, graph: bool) -> ObjectSelector | None:
    """The selector under ``raw[key]`` (``when_present``, ``depends_on`` …), ``None`` if absent.

    Problems are reported as ``key.subkey``; an empty mapping (no condition) is one.
    """
    if key not in raw:
        return None
    sub = raw[key]
    known = SELECTOR_KEYS | GRAPH_KEYS if graph else SELECTOR_KEYS
    if not isinstance(sub, dict) or not set(sub) - {LINE}:
        bad(key, sub, f"muss eine Zuordnung mit mindestens einem von {', '.join(sorted(known))} sein")
        return None
    for unknown in sorted(set(sub) - known - {LINE}, key=str):
        bad(f"{key}.{unknown}", None, unknown_name("unbekannter Schlüssel", str(unknown), sorted(known)))
    return parse_selector(sub, lambda k, v, m: bad(f"{key}.{k}", v, m), graph)


# --------------------------------------------------------------------------- rule files


@dataclass(frozen=True)
class RuleSchema(Generic[R]):
    """The edition-specific part of a rule, for :func:`parse_rule_file`.

    ``keys``: the rule keys beyond :data:`COMMON_RULE_KEYS`.
    ``targets(raw, covered, bad)``: parses them (``covered`` is the rule's
    validated flag) and returns them as keyword arguments of ``make``.
    ``make``: builds a rule from those and ``id``, ``selector``, ``reason``,
    ``covered``, ``when_present``, ``position`` and ``line``.
    ``graph``: selectors may have ``depends_on``/``used_by``;
    ``top_keys``: top-level keys of the file beyond ``edition`` and ``rules``.
    """

    keys: frozenset[str]
    targets: Callable[[Mapping, bool, Bad], dict[str, Any]]
    make: Callable[..., R]
    graph: bool = False
    top_keys: frozenset[str] = frozenset()


def read_rule_file(path: str | Path | None, default: str) -> tuple[str, str]:
    """The text and file name of a rule file; ``path=None`` is the installed file ``default``.

    Raises :class:`RulesError` if the file cannot be read or is not UTF-8.
    """
    if path is None:
        path = rules_file(default)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError([Problem(str(path), None, None, None, f"Datei nicht lesbar: {os_read_reason(exc)}")]) from None
    try:
        return data.decode("utf-8-sig"), path.name
    except UnicodeDecodeError as exc:
        raise RulesError([Problem(path.name, None, None, None,
                                  f"Datei ist nicht UTF-8-kodiert (Byte an Position {exc.start})")]) from None


def rules_file(name: str) -> Path:
    """The path of a data file shipped under ``catalogs/`` (e.g. ``modelling.yaml``).

    In a source checkout (``pyproject.toml`` next to the package) the file of that
    checkout's ``catalogs/``, so that the code and the rules always come from the same
    tree (an editable install maps ``grundschutz.rules`` to the checkout it was made
    from, which need not be the one on ``PYTHONPATH``); else the installed package
    ``grundschutz.rules``.

    >>> rules_file("modelling.yaml").name
    'modelling.yaml'
    """
    checkout = Path(__file__).resolve().parents[2]
    local = checkout / "catalogs" / name
    if (checkout / "pyproject.toml").is_file() and local.is_file():
        return local
    return Path(str(resources.files("grundschutz.rules").joinpath(name)))


def load_rule_yaml(text: str, file: str) -> object:
    """YAML ``text`` with the line of every mapping under :data:`LINE` (``None`` if empty).

    Raises :class:`RulesError` for a syntax error.
    """
    import yaml

    if not text.strip():
        return None
    # libyaml's parser where it is there (ten times faster); the pure-Python one has the last word on errors
    for base in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader):
        if base is None:
            continue

        class Loader(base):  # type: ignore[valid-type, misc]
            pass

        def mapping(loader, node):
            result = loader.construct_mapping(node, deep=True)
            result[LINE] = node.start_mark.line + 1
            return result

        Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
        try:
            return yaml.load(text, Loader=Loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            error = exc
    line, column, detail = yaml_problem(error)
    where = f" (Spalte {column})" if column is not None else ""
    raise RulesError([Problem(file, line, None, None, f"YAML fehlerhaft{where}: {detail}")]) from None


def parse_rule_file(text: str, file: str, schema: RuleSchema[R]) -> tuple[dict, list[R], list[Problem]]:
    """Parse the YAML text of a rule file: ``(data, rules, problems)``.

    ``data`` is the top-level mapping (its line under :data:`LINE`), ``rules``
    the valid rules in file order (without those with problems or a duplicate
    id), ``problems`` every problem found (unknown keys included). Raises
    :class:`RulesError` at once for invalid YAML or a missing list ``rules``.
    Checking ``edition`` is left to the caller.
    """
    data = load_rule_yaml(text, file)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError([Problem(file, None, "rules", None, "Zuordnung mit einer Liste 'rules' erwartet")])
    problems: list[Problem] = []
    top = ("edition", "rules", *sorted(schema.top_keys))
    for key in sorted(set(data) - set(top) - {LINE}, key=str):
        problems.append(Problem(file, None, str(key), None, unknown_name("unbekannter Schlüssel", str(key), top)))
    rules: list[R] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(data["rules"], start=1):
        rule = parse_rule(raw, position, file, problems, schema)
        if rule is None:
            continue
        if rule.id in seen:
            problems.append(Problem(file, rule.line, f"rules[{position}].id", rule.id,
                                    f"{rule.where}: doppelte Regel-ID (bereits Regel {seen[rule.id]})"))
            continue
        seen[rule.id] = position
        rules.append(rule)
    return data, rules, problems


def parse_rule(raw: object, position: int, file: str, problems: list[Problem], schema: RuleSchema[R]) -> R | None:
    """One rule (``position`` 1-based); ``None`` if it has problems, which are added to ``problems``."""
    where = f"rules[{position}]"
    if not isinstance(raw, dict):
        problems.append(Problem(file, None, where, show(raw), f"Regel {position}: muss eine Zuordnung sein"))
        return None
    line = raw.get(LINE)
    rule_id = str(raw.get("id") or "").strip()
    label = f"Regel {position} '{rule_id}'" if rule_id else f"Regel {position}"
    found = len(problems)

    def bad(key: str, value: object, message: str) -> None:
        shown = None if value is None else show(value)
        problems.append(Problem(file, line, f"{where}.{key}", shown, f"{label}: {message}"))

    if not rule_id:
        bad("id", None, "ID fehlt")
    elif not RULE_ID.match(rule_id):
        bad("id", rule_id, "ID darf nur Buchstaben, Ziffern, '-', '_' und '.' enthalten")
    known = COMMON_RULE_KEYS | schema.keys | (GRAPH_KEYS if schema.graph else frozenset())
    for key in sorted(set(raw) - known - {LINE}, key=str):
        bad(str(key), None, unknown_name("unbekannter Schlüssel", str(key), sorted(known)))
    if raw.get("type") in (None, "", []):
        bad("type", None, "Objekttyp fehlt (type)")
    selector = parse_selector(raw, bad, schema.graph)
    when = parse_sub_selector(raw, "when_present", bad, schema.graph)
    covered = parse_flag(raw, "covered", bad)
    targets = schema.targets(raw, covered, bad)
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        bad("reason", None, "Begründung fehlt")
        reason = ""
    if len(problems) > found:
        return None
    return schema.make(id=rule_id, selector=selector, reason=" ".join(reason.split()), covered=covered,
                       when_present=when, position=position, line=line, **targets)


def unknown_targets(rules: RuleSetBase, key: str, known: Container[str], message: str) -> list[Problem]:
    """A problem for every name in ``rule.<key>`` of ``rules`` that ``known`` lacks (``message`` says why)."""
    return [
        Problem(rules.source, rule.line, f"rules[{rule.position}].{key}", name, f"{rule.where}: {message}")
        for rule in rules
        for name in getattr(rule, key)
        if name not in known
    ]


def parse_flag(raw: Mapping, key: str, bad: Bad) -> bool:
    """The boolean ``raw[key]`` (default ``False``); anything else is reported and counts as ``False``."""
    value = raw.get(key, False)
    if not isinstance(value, bool):
        bad(key, value, "muss true oder false sein")
        return False
    return value


def as_list(value: object) -> list:
    """``value`` itself if it is a list, else a list of it."""
    return value if isinstance(value, list) else [value]


def show(value: object) -> str:
    """A value as shown in a :class:`~grundschutz.model.errors.Problem` (``None`` as empty)."""
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- Grundschutz++: gspp_modelling.yaml


GSPP_EDITION = "grundschutz++"


def read_gspp_rules(path: str | Path | None = None, catalog: GsppCatalog | None = None) -> GsppRules:
    """Read the rules from ``path`` (default: the installed ``gspp_modelling.yaml``).

    With ``catalog`` every category is checked against it. Raises
    :class:`~grundschutz.catalog.rules.RulesError` listing every problem with its line.
    """
    text, name = read_rule_file(path, GSPP_RULES_FILE)
    return parse_gspp_rules(text, name, catalog)


def parse_gspp_rules(text: str, file: str = GSPP_RULES_FILE, catalog: GsppCatalog | None = None) -> GsppRules:
    """Parse and validate the YAML text of a Grundschutz++ rule file (pure).

    >>> parse_gspp_rules("edition: grundschutz++\\nrules:\\n  - id: x\\n    type: server\\n    reason: r\\n")
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.RulesError: 1 Fehler in den Modellierungsregeln (gspp_modelling.yaml):
      gspp_modelling.yaml, Zeile 3, Spalte 'rules[1].categories': Regel 1 'x': Kategorien fehlen \
(categories: [...], general: true oder covered: true)
    """
    data, rules, problems = parse_rule_file(text, file, _GSPP_SCHEMA)
    edition = str(data.get("edition", "")).strip().lower()
    if edition != GSPP_EDITION:
        problems.append(Problem(file, data.get(LINE), "edition", edition or None,
                                f"Regelsatz für Grundschutz++ erwartet (edition: {GSPP_EDITION}); "
                                "Regeln für das Kompendium stehen in modelling.yaml"))
    result = GsppRules(tuple(rules), file)
    if catalog is not None:
        problems.extend(_unknown_categories(result, catalog))
    if problems:
        raise RulesError(problems, file)
    return result


def _categories(raw: Mapping, covered: bool, bad: Bad) -> dict[str, object]:
    """The keys ``categories`` and ``general`` of a rule of ``gspp_modelling.yaml`` (``covered``: the rule's flag)."""
    general = parse_flag(raw, "general", bad)
    categories: tuple[str, ...] = ()
    if "categories" in raw:
        value = as_list(raw["categories"])
        if not value or not all(isinstance(v, str) and v.strip() for v in value):
            bad("categories", raw["categories"], "muss eine nicht leere Liste von Zielobjekt-Kategorien sein")
        else:
            categories = tuple(dict.fromkeys(" ".join(v.split()) for v in value))
    if covered and (categories or general):
        bad("covered", True, "eine Regel nennt entweder Kategorien (oder general) oder covered: true, nicht beides")
    elif not (categories or general or covered) and "categories" not in raw:
        bad("categories", None, "Kategorien fehlen (categories: [...], general: true oder covered: true)")
    return {"categories": categories, "general": general}


_GSPP_SCHEMA = RuleSchema(frozenset({"categories", "general"}), _categories, CategoryRule)


def validate_gspp_rules(rules: GsppRules, catalog: GsppCatalog) -> None:
    """Raise :class:`RulesError` if a rule names a category the catalogs lack."""
    problems = _unknown_categories(rules, catalog)
    if problems:
        raise RulesError(problems, rules.source)


def _unknown_categories(rules: GsppRules, catalog: GsppCatalog) -> list[Problem]:
    return unknown_targets(rules, "categories", catalog.categories,
                           "Zielobjekt-Kategorie gibt es in den Grundschutz++-Katalogen nicht")
