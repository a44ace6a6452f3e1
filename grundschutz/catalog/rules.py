"""Rule files of the Modellierung: the parts both editions share.

``modelling.yaml`` (Kompendium 2023, :mod:`grundschutz.method.modelling`) and
``gspp_modelling.yaml`` (Grundschutz++, :mod:`grundschutz.method.gspp`)
have the same shape: a mapping with ``edition`` and a list ``rules``. Every
rule has an ``id``, an object selector (``type`` and the tag conditions
``all``/``any``/``none``), optionally ``when_present`` (a second selector)
and ``covered``, and a ``reason``. Only what a rule assigns differs
(``bausteine``; ``categories`` and ``general``): a :class:`RuleSchema` per
edition parses those keys and builds the rule.

:func:`parse_rule_file` does the rest: YAML with the line of every mapping,
unknown keys, ids, selectors, duplicate ids. The edition check and the check
against the catalog stay with the edition's module. Problems carry the line
of the rule; :class:`RulesError` lists them all. :class:`RulesError`,
:class:`TagSelector` and :class:`ObjectSelector` are re-exported by
:mod:`grundschutz.method.modelling`, their public home.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem
from grundschutz.io.inventory import decode_text
from grundschutz.model.assessment import ObjectType, TargetObject

#: Rule keys every edition knows; a :class:`RuleSchema` adds its own.
COMMON_RULE_KEYS = frozenset({"id", "type", "all", "any", "none", "when_present", "covered", "reason"})
#: Keys of an object selector (a rule's own, or its ``when_present``).
SELECTOR_KEYS = frozenset({"type", "all", "any", "none"})
RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Key under which the YAML loader stores the (1-based) line of every mapping.
LINE = "\0line"

#: Reports a problem of one rule: ``bad(key, value or None, message)``.
Bad = Callable[[str, object, str], None]
R = TypeVar("R")


class RulesError(GrundschutzError):
    """The modelling rules are invalid; ``problems`` (``row`` = line of the rule in the YAML file)."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.row or 0, p.column or "", p.message))
        self.source = source
        head = f"{len(self.problems)} Fehler in den Modellierungsregeln" + (f" ({source})" if source else "") + ":"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


# --------------------------------------------------------------------------- selectors


@dataclass(frozen=True)
class TagSelector:
    """``key`` (tag present) or ``key=pattern`` (value matches, ``*``/``?`` wildcards).

    >>> TagSelector.parse("os=windows*").matches({"os": "windows10"})
    True
    >>> TagSelector.parse("MDM").matches({"mdm": ""})
    True
    """

    key: str
    pattern: str | None
    text: str

    @classmethod
    def parse(cls, text: str) -> TagSelector:
        """Read ``key`` or ``key=pattern``; :class:`ValueError` if the name or the value is missing."""
        raw = str(text).strip()
        key, sep, value = raw.partition("=")
        key, value = key.strip().casefold(), value.strip().casefold()
        if not key:
            raise ValueError("Tag ohne Namen")
        if sep and not value:
            raise ValueError("Wert nach '=' fehlt (für 'Tag vorhanden' nur den Namen angeben)")
        return cls(key, value if sep else None, raw)

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Whether normalised tags (keys and values case-folded) match."""
        return self.key in tags and (self.pattern is None or fnmatch.fnmatchcase(tags[self.key], self.pattern))


@dataclass(frozen=True)
class ObjectSelector:
    """Which objects a rule applies to: types (empty = any) and tag conditions."""

    types: frozenset[ObjectType] = frozenset()
    all: tuple[TagSelector, ...] = ()
    any: tuple[TagSelector, ...] = ()
    none: tuple[TagSelector, ...] = ()

    def matches(self, obj: TargetObject) -> bool:
        """Whether ``obj`` is of one of the types and meets every tag condition."""
        if self.types and obj.type not in self.types:
            return False
        tags = _normalised_tags(obj)
        return (
            all(s.matches(tags) for s in self.all)
            and (not self.any or any(s.matches(tags) for s in self.any))
            and not any(s.matches(tags) for s in self.none)
        )




def _normalised_tags(obj: TargetObject) -> dict[str, str]:
    return {key.casefold(): value.casefold() for key, value in obj.tags.items()}


def parse_selector(raw: Mapping, bad: Bad) -> ObjectSelector:
    """The selector of ``type``, ``all``, ``any`` and ``none`` in ``raw``; problems go to ``bad``."""
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
    return ObjectSelector(frozenset(types), parts["all"], parts["any"], parts["none"])


# --------------------------------------------------------------------------- rule files


class RuleBase:
    """Base of the rule classes of both editions (dataclasses with ``id`` and ``position``)."""

    id: str
    position: int

    @property
    def where(self) -> str:
        """The rule's position for messages, e.g. ``Regel 3 'isms'``."""
        return f"Regel {self.position} '{self.id}'"


class RuleSetBase(Generic[R]):
    """Base of the rule sets of both editions (dataclasses with ``rules`` in file order and ``source``)."""

    rules: tuple[R, ...]
    source: str

    def __iter__(self) -> Iterator[R]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


@dataclass(frozen=True)
class RuleSchema(Generic[R]):
    """The edition-specific part of a rule, for :func:`parse_rule_file`.

    ``keys``: the rule keys beyond :data:`COMMON_RULE_KEYS`.
    ``targets(raw, covered, bad)``: parses them (``covered`` is the rule's
    validated flag) and returns them as keyword arguments of ``make``.
    ``make``: builds a rule from those and ``id``, ``selector``, ``reason``,
    ``covered``, ``when_present``, ``position`` and ``line``.
    """

    keys: frozenset[str]
    targets: Callable[[Mapping, bool, Bad], dict[str, Any]]
    make: Callable[..., R]


def read_rule_file(path: str | Path | None, default: str) -> tuple[str, str]:
    """The text and file name of a rule file; ``path=None`` is the installed file ``default``.

    Raises :class:`RulesError` if the file cannot be read or decoded.
    """
    if path is None:
        from grundschutz.io.resources import rules_file

        path = rules_file(default)
    path = Path(path)
    try:
        text = decode_text(path.read_bytes(), path.name)
    except OSError as exc:
        raise RulesError([Problem(str(path), None, None, None, f"Datei nicht lesbar: {exc.strerror or exc}")]) from None
    except AssessmentError as exc:
        raise RulesError(exc.problems, str(path)) from None
    return text, path.name


def load_rule_yaml(text: str, file: str) -> object:
    """YAML ``text`` with the line of every mapping under :data:`LINE` (``None`` if empty).

    Raises :class:`RulesError` for a syntax error.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        result = loader.construct_mapping(node, deep=True)
        result[LINE] = node.start_mark.line + 1
        return result

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        return yaml.load(text, Loader=Loader) if text.strip() else None  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        detail = getattr(exc, "problem", None) or exc
        raise RulesError([Problem(file, line, None, None, f"YAML fehlerhaft: {detail}")]) from None


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
    for key in sorted(set(data) - {"edition", "rules", LINE}, key=str):
        problems.append(Problem(file, None, str(key), None, "unbekannter Schlüssel"))
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
    for key in sorted(set(raw) - COMMON_RULE_KEYS - schema.keys - {LINE}, key=str):
        bad(str(key), None, "unbekannter Schlüssel")
    if raw.get("type") in (None, "", []):
        bad("type", None, "Objekttyp fehlt (type)")
    selector = parse_selector(raw, bad)
    when = None
    if "when_present" in raw:
        sub = raw["when_present"]
        if not isinstance(sub, dict):
            bad("when_present", sub, "muss eine Zuordnung (type/all/any/none) sein")
        else:
            for key in sorted(set(sub) - SELECTOR_KEYS - {LINE}, key=str):
                bad(f"when_present.{key}", None, "unbekannter Schlüssel")
            when = parse_selector(sub, lambda k, v, m: bad(f"when_present.{k}", v, m))
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
