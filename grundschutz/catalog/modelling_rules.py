"""The Kompendium 2023 rule file ``modelling.yaml``: rules, Zielobjekttypen, name hints.

The shared part of both rule files (YAML with lines, ids, selectors, unknown
keys) is :mod:`grundschutz.catalog.rules`; this module adds what only the
Kompendium rules have:

- per rule ``bausteine`` (or ``covered: true`` / ``uncovered: true``),
  ``when_absent`` and ``scope`` (quotes from a Baustein's section "Abgrenzung
  und Modellierung" that allow a Zielobjekttyp other than the one of the
  Kompendium's modelling table), and the graph conditions
  ``depends_on``/``used_by`` in every selector;
- the section ``target_types``: the Zielobjekttyp of the modelling table
  ("IT-System", "Anwendung" …) of each object type;
- the section ``hints``: words in an object's name that suggest a tag.

With the Kompendium every Baustein id is checked, every quote is looked up in
the XML text, every Zielobjekttyp in the modelling table.
:func:`table_deviations` lists the rules that put a Baustein on another
Zielobjekttyp than the table names without a quote (the rule file of the
toolkit has none; a test keeps it so).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from grundschutz.catalog.rules import (
    LINE,
    Bad,
    RuleSchema,
    as_list,
    parse_flag,
    parse_rule_file,
    parse_sub_selector,
    read_rule_file,
    show,
    unknown_targets,
)
from grundschutz.model.errors import Problem, RulesError, unknown_name
from grundschutz.model.levels import ObjectType
from grundschutz.model.rules import (
    RULES_EDITION,
    RULES_FILE,
    ModellingRule,
    ModellingRules,
    NameHint,
    ScopeQuote,
    TagSelector,
)

if TYPE_CHECKING:
    from grundschutz.catalog.kompendium import Kompendium

#: Rule keys of ``modelling.yaml`` beyond the shared ones (the graph keys come with ``graph=True``).
RULE_KEYS = frozenset({"bausteine", "uncovered", "when_absent", "scope", "covered_by"})
SCOPE_KEYS = ("baustein", "from", "quote")
HINT_KEYS = ("words", "type", "tag")


def read_modelling_rules(path: str | Path | None = None, kompendium: Kompendium | None = None) -> ModellingRules:
    """Read modelling rules from ``path`` (default: the installed ``modelling.yaml``).

    With ``kompendium`` every Baustein id, quote and Zielobjekttyp is checked
    against it. Raises :class:`RulesError` listing every problem with its line.
    """
    text, name = read_rule_file(path, RULES_FILE)
    return parse_modelling_rules(text, name, kompendium)


def parse_modelling_rules(text: str, file: str = RULES_FILE, kompendium: Kompendium | None = None) -> ModellingRules:
    """Parse and validate the YAML text of a rule file (pure).

    >>> parse_modelling_rules("rules:\\n  - id: x\\n    type: drucker\\n    bausteine: [SYS.4.1]\\n")
    Traceback (most recent call last):
    ...
    grundschutz.model.errors.RulesError: 1 Fehler in den Modellierungsregeln (modelling.yaml):
      modelling.yaml, Zeile 2, Spalte 'rules[1].reason': Regel 1 'x': Begründung fehlt
    """
    data, rules, problems = parse_rule_file(text, file, _SCHEMA)
    edition = str(data.get("edition", RULES_EDITION)).strip().lower()
    if edition != RULES_EDITION:
        problems.append(Problem(file, data.get(LINE), "edition", edition,
                                f"Regelsatz für '{edition}' wird nicht unterstützt (erwartet: {RULES_EDITION}); "
                                "Grundschutz++-Regeln (Zielobjekt-Kategorien) stehen in gspp_modelling.yaml"))
    target_types = _target_types(data.get("target_types"), file, problems)
    hints = _hints(data.get("hints"), file, problems)
    result = ModellingRules(tuple(rules), edition, file, hints, MappingProxyType(target_types))
    if kompendium is not None:
        problems.extend(catalog_problems(result, kompendium))
    if problems:
        raise RulesError(problems, file)
    return result


def validate_modelling_rules(rules: ModellingRules, kompendium: Kompendium) -> None:
    """Raise :class:`RulesError` if a rule names a Baustein the Kompendium lacks, quotes
    text its XML does not have, or a Zielobjekttyp its modelling table does not know."""
    problems = catalog_problems(rules, kompendium)
    if problems:
        raise RulesError(problems, rules.source)


def catalog_problems(rules: ModellingRules, kompendium: Kompendium) -> list[Problem]:
    """Everything in ``rules`` that does not fit the Kompendium (see :func:`validate_modelling_rules`)."""
    problems = unknown_targets(rules, "bausteine", kompendium.bausteine, "Baustein gibt es im Kompendium nicht")
    problems += unknown_targets(rules, "covered_by", kompendium.bausteine, "Baustein gibt es im Kompendium nicht")
    for rule in rules:
        for quote in rule.scope:
            baustein = kompendium.bausteine.get(quote.quoted_from)
            where = f"rules[{rule.position}].scope"
            if baustein is None:
                problems.append(Problem(rules.source, rule.line, where, quote.quoted_from,
                                        f"{rule.where}: Baustein gibt es im Kompendium nicht"))
            elif _plain(quote.quote) not in _plain(baustein.scope):
                problems.append(Problem(rules.source, rule.line, where, quote.quote, (
                    f"{rule.where}: das Zitat steht nicht im Abschnitt 'Abgrenzung und Modellierung' "
                    f"von {quote.quoted_from}")))
    known = {b.target_type for b in kompendium.bausteine.values() if b.target_type}
    for object_type, target in rules.target_types.items():
        if target not in known:
            problems.append(Problem(rules.source, None, f"target_types.{object_type.value}", target, unknown_name(
                "Zielobjekttyp der Modellierungstabelle unbekannt:", target, sorted(known))))
    return problems


def table_deviations(rules: ModellingRules, kompendium: Kompendium) -> list[Problem]:
    """Rules that put a Baustein on an object type whose Zielobjekttyp (``target_types``)
    is not the one the Kompendium's modelling table names, without a ``scope`` quote for it.

    A type without Zielobjekttyp (``process``, ``service``) always needs a quote.
    """
    problems = []
    for rule in rules:
        quoted = {q.baustein for q in rule.scope}
        for baustein in rule.bausteine:
            table = kompendium.bausteine[baustein].target_type if baustein in kompendium.bausteine else None
            if baustein in quoted or table is None:
                continue
            for object_type in sorted(rule.selector.types, key=lambda t: t.value):
                target = rules.target_types.get(object_type)
                if target != table:
                    problems.append(Problem(rules.source, rule.line, f"rules[{rule.position}].type", object_type.value, (
                        f"{rule.where}: {baustein} auf {object_type.label} ({target or 'kein Zielobjekttyp'}), "
                        f"laut Modellierungstabelle {table}; Zitat aus 'Abgrenzung und Modellierung' fehlt (scope)")))
    return problems


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


# --------------------------------------------------------------------------- rule keys


def _targets(raw: Mapping, covered: bool, bad: Bad) -> dict[str, object]:
    """The Kompendium keys of a rule: ``bausteine``, ``uncovered``, ``when_absent``, ``scope``, ``covered_by``."""
    uncovered = parse_flag(raw, "uncovered", bad)
    covered_by: tuple[str, ...] = ()
    if "covered_by" in raw:
        value = raw["covered_by"]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            bad("covered_by", value, "muss eine Liste von Baustein-IDs sein")
        elif not covered:
            bad("covered_by", ", ".join(value), "nur mit covered: true (die Bausteine, die die Objekte abdecken)")
        else:
            covered_by = tuple(dict.fromkeys(v.strip() for v in value))
    bausteine: tuple[str, ...] = ()
    if "bausteine" in raw:
        value = raw["bausteine"]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad("bausteine", value, "muss eine Liste von Baustein-IDs sein")
        else:
            bausteine = tuple(dict.fromkeys(v.strip() for v in value))
            if covered or uncovered:
                flag = "covered" if covered else "uncovered"
                bad(flag, True, f"eine Regel nennt entweder Bausteine oder {flag}: true, nicht beides")
            elif not bausteine:
                bad("bausteine", value, "leere Liste (für 'keine eigenen Bausteine' covered: true angeben)")
    elif not covered and not uncovered:
        bad("bausteine", None, "Bausteine fehlen (bausteine: [...], covered: true oder uncovered: true)")
    if covered and uncovered:
        bad("uncovered", True, "covered: true und uncovered: true schließen einander aus")
    return {"bausteine": bausteine, "uncovered": uncovered, "covered_by": covered_by,
            "when_absent": parse_sub_selector(raw, "when_absent", bad, True),
            "scope": _scope(raw, bausteine, bad)}


def _scope(raw: Mapping, bausteine: tuple[str, ...], bad: Bad) -> tuple[ScopeQuote, ...]:
    """The key ``scope``: a list of ``{baustein, quote, from}``."""
    if "scope" not in raw:
        return ()
    items = raw["scope"]
    if not isinstance(items, list) or not items:
        bad("scope", items, "muss eine Liste von Zitaten sein (baustein, quote, optional from)")
        return ()
    quotes = []
    for number, item in enumerate(items, start=1):
        key = f"scope[{number}]"
        if not isinstance(item, dict):
            bad(key, item, "muss eine Zuordnung (baustein, quote, optional from) sein")
            continue
        for unknown in sorted(set(item) - set(SCOPE_KEYS) - {LINE}, key=str):
            bad(f"{key}.{unknown}", None, unknown_name("unbekannter Schlüssel", str(unknown), SCOPE_KEYS))
        baustein, source, quote = (str(item.get(k) or "").strip() for k in SCOPE_KEYS)
        if baustein not in bausteine:
            bad(f"{key}.baustein", baustein or None, "muss einer der Bausteine der Regel sein")
        elif not quote:
            bad(f"{key}.quote", None, "Zitat fehlt")
        else:
            quotes.append(ScopeQuote(baustein, " ".join(quote.split()), source))
    return tuple(quotes)


_SCHEMA = RuleSchema(RULE_KEYS, _targets, ModellingRule, graph=True, top_keys=frozenset({"target_types", "hints"}))


# --------------------------------------------------------------------------- sections


def _target_types(raw: object, file: str, problems: list[Problem]) -> dict[ObjectType, str]:
    """The section ``target_types``: object type -> Zielobjekttyp of the modelling table."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(file, None, "target_types", show(raw), "muss eine Zuordnung Objekttyp: Zielobjekttyp sein"))
        return {}
    result = {}
    for key, value in raw.items():
        if key == LINE:
            continue
        try:
            object_type = ObjectType.parse(str(key))
        except ValueError as exc:
            problems.append(Problem(file, raw.get(LINE), f"target_types.{key}", None, str(exc)))
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(file, raw.get(LINE), f"target_types.{key}", show(value), "Zielobjekttyp fehlt"))
            continue
        result[object_type] = " ".join(value.split())
    return result


def _hints(raw: object, file: str, problems: list[Problem]) -> tuple[NameHint, ...]:
    """The section ``hints``: a list of ``{words, type, tag}``."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(file, None, "hints", show(raw), "muss eine Liste von Hinweisen (words, type, tag) sein"))
        return ()
    hints = []
    for number, item in enumerate(raw, start=1):
        where = f"hints[{number}]"
        line = item.get(LINE) if isinstance(item, dict) else None
        found = len(problems)

        def bad(key: str, value: object, message: str, where=where, line=line) -> None:
            problems.append(Problem(file, line, f"{where}.{key}" if key else where,
                                    None if value is None else show(value), f"Hinweis {where[6:-1]}: {message}"))

        if not isinstance(item, dict):
            bad("", item, "muss eine Zuordnung (words, type, tag) sein")
            continue
        for unknown in sorted(set(item) - set(HINT_KEYS) - {LINE}, key=str):
            bad(str(unknown), None, unknown_name("unbekannter Schlüssel", str(unknown), HINT_KEYS))
        words = as_list(item.get("words") or [])
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            bad("words", item.get("words"), "muss eine nicht leere Liste von Wörtern sein")
        types = set()
        for value in as_list(item["type"]) if item.get("type") is not None else ():
            try:
                types.add(ObjectType.parse(str(value)))
            except ValueError as exc:
                bad("type", value, str(exc))
        tag = None
        try:
            tag = TagSelector.parse(str(item.get("tag") or ""))
        except ValueError as exc:
            bad("tag", item.get("tag"), str(exc))
        if len(problems) == found and tag is not None:
            hints.append(NameHint(tuple(dict.fromkeys(w.strip().casefold() for w in words)), frozenset(types), tag,
                                  line))
    return tuple(hints)
