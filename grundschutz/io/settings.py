"""``assessment.yaml``: name, edition, variant, cumulation rules, distribution, risk matrix.

:func:`parse_settings` is pure: text in, :class:`~grundschutz.model.assessment.Settings`
and every problem found out.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

from grundschutz.io.text import file_problem
from grundschutz.io.values import as_list, non_negative_int, positive_int, show
from grundschutz.model import CumulationRule, DistributionSetting, DocumentedDistribution, PortfolioSetting, Settings
from grundschutz.model.errors import Problem, unknown_name
from grundschutz.model.library_errors import yaml_message
from grundschutz.model.levels import BasicValue, Level, ObjectType
from grundschutz.model.scales import DEFAULT_MATRIX, Frequency, Impact, RiskCategory, RiskMatrix

SETTINGS_FILE = "assessment.yaml"
EDITIONS = ("kompendium-2023", "grundschutz++")
VARIANTS = ("basis", "standard", "kern")


#: The keys of ``assessment.yaml`` and of its parts.
TOP_KEYS = ("name", "organisation", "edition", "variant", "cumulation", "distribution", "risk_matrix", "portfolio")
CUMULATION_KEYS = ("name", "basic_value", "types", "min_dependents", "at_level", "raise_to", "candidate_margin",
                   "reason")
#: ``portfolio`` of a provider: its id and the cumulation rules across clients (``min_clients``).
PORTFOLIO_KEYS = ("id", "cumulation")
CLIENT_CUMULATION_KEYS = tuple("min_clients" if k == "min_dependents" else k for k in CUMULATION_KEYS)
#: What a provider id may consist of (it is written in the clients' tags, before ``:``).
PROVIDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DISTRIBUTION_KEYS = ("enabled", "basic_values", "lower_by", "confidentiality", "integrity")
#: The keys of a documented distribution of confidentiality or integrity.
DOCUMENTED_KEYS = ("groups", "reason")
#: The most levels a need can be lowered by: from ``sehr hoch`` to ``normal``.
MAX_LOWER_BY = len(Level) - 1


def parse_settings(text: str, file: str = SETTINGS_FILE) -> tuple[Settings, list[Problem]]:
    """Parse ``assessment.yaml`` into :class:`Settings` and every problem found, each with its line.

    Unknown keys are errors with the nearest known key (a typo such as
    ``distributon`` would otherwise switch the Verteilungseffekt off), and so
    are rules that cannot do anything: a cumulation rule that raises to no
    more than the level it counts, a lowering beyond the scale.

    >>> settings, problems = parse_settings("name: Test\\ndistribution:\\n  enabled: true\\n")
    >>> settings.distribution.enabled, problems
    (True, [])
    >>> print(parse_settings("name: Test\\ndistributon:\\n  enabled: true\\n")[1][0])
    assessment.yaml, Zeile 2: unbekannter Schlüssel 'distributon' – meinten Sie 'distribution'?
    """
    import yaml

    try:
        data = yaml.safe_load(text) if text.strip() else {}
        lines = _key_lines(yaml.compose(text)) if text.strip() else {}
    except yaml.YAMLError as exc:
        return Settings(), [file_problem(file, yaml_message(exc))]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Settings(), [file_problem(file, "muss eine Zuordnung (key: value) sein")]
    found = _Found(file, lines)
    found.unknown_keys(data, (), TOP_KEYS)
    edition = str(data.get("edition", "kompendium-2023")).strip().lower()
    if edition not in EDITIONS:
        found.bad(("edition",), data.get("edition"), f"unbekannte Edition (erlaubt: {', '.join(EDITIONS)})")
    variant = str(data.get("variant", "standard")).strip().lower()
    if variant not in VARIANTS:
        found.bad(("variant",), data.get("variant"), f"unbekannte Variante (erlaubt: {', '.join(VARIANTS)})")
    if edition == "grundschutz++" and variant in ("basis", "kern"):
        found.bad(("variant",), data.get("variant"),
                  "Grundschutz++ kennt keine Basis- oder Kern-Absicherung: das Sicherheitsniveau ergibt sich aus dem "
                  "Schutzbedarf (normal-SdT, erhöht); 'variant: standard' setzen oder die Variante weglassen")
    rules = _parse_cumulation(data.get("cumulation"), found)
    distribution = _parse_distribution(data.get("distribution"), found)
    portfolio = _parse_portfolio(data.get("portfolio"), found)
    matrix, matrix_problems = parse_risk_matrix(data.get("risk_matrix"), file)
    found.problems.extend(replace(p, row=lines.get(("risk_matrix",))) for p in matrix_problems)
    settings = Settings(
        name=str(data.get("name") or ""),
        organisation=str(data.get("organisation") or ""),
        edition=edition,
        variant=variant,
        cumulation=rules,
        distribution=distribution,
        risk_matrix=matrix,
        portfolio=portfolio,
    )
    return settings, found.problems


def _key_lines(node, path: tuple = ()) -> dict[tuple, int]:
    """The (1-based) line of every key of a composed YAML document, by its path of keys and list indexes."""
    import yaml

    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            where = (*path, key.value)
            lines[where] = key.start_mark.line + 1
            lines.update(_key_lines(value, where))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            lines.update(_key_lines(item, (*path, index)))
    return lines


class _Found:
    """The problems of one YAML file, each with the line of the key it concerns."""

    def __init__(self, file: str, lines: dict[tuple, int]):
        self.file, self.lines, self.problems = file, lines, []

    def bad(self, path: tuple, value: object, message: str, shown: bool = True) -> None:
        self.problems.append(Problem(self.file, self.line(path), self._where(path),
                                     show(value) if shown else None, message))

    def line(self, path: tuple) -> int | None:
        """The line of the key at ``path``, else of the nearest key above it (a missing key: its rule)."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def unknown_keys(self, data: dict, path: tuple, known: tuple[str, ...]) -> None:
        for key in sorted((k for k in data if k not in known), key=str):
            self.problems.append(Problem(self.file, self.lines.get((*path, key)), self._where(path), None,
                                         unknown_name("unbekannter Schlüssel", str(key), known)))

    @staticmethod
    def _where(path: tuple) -> str | None:
        """``cumulation[1].raise_to`` for the path ``("cumulation", 0, "raise_to")``."""
        return "".join(f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                       for i, p in enumerate(path)) or None


def _parse_portfolio(raw: object, found: _Found) -> PortfolioSetting | None:
    """``portfolio``: absent/``false`` = no provider, ``true`` = a provider with defaults, or a mapping."""
    if raw in (None, False):
        return None
    if raw is True:
        return PortfolioSetting()
    if not isinstance(raw, dict):
        found.bad(("portfolio",), raw, "muss eine Zuordnung (id, cumulation) oder true sein")
        return None
    found.unknown_keys(raw, ("portfolio",), PORTFOLIO_KEYS)
    provider_id = str(raw.get("id") or "").strip()
    if provider_id and not PROVIDER_ID.match(provider_id):
        found.bad(("portfolio", "id"), raw["id"], "Kennung des Anbieters: nur Buchstaben, Ziffern, '.', '_' und "
                                                  "'-' (die Kommunen schreiben provider=<Kennung>:<Zielobjekt>)")
        provider_id = ""
    rules = _parse_cumulation(raw.get("cumulation"), found, ("portfolio", "cumulation"), "min_clients")
    return PortfolioSetting(id=provider_id, cumulation=rules)


def _parse_cumulation(raw: object, found: _Found, where: tuple = ("cumulation",),
                      count_key: str = "min_dependents") -> tuple[CumulationRule, ...]:
    """Cumulation rules at ``where``; ``count_key`` is the threshold's key (``min_clients`` across clients)."""
    if raw in (None, [], False):
        return ()
    if not isinstance(raw, list):
        found.bad(where, raw, "muss eine Liste von Regeln sein")
        return ()
    known = CUMULATION_KEYS if count_key == "min_dependents" else CLIENT_CUMULATION_KEYS
    rules = []
    for index, entry in enumerate(raw):
        path = (*where, index)
        if not isinstance(entry, dict):
            found.bad(path, entry, "Regel muss eine Zuordnung sein")
            continue
        before = len(found.problems)

        def field(key: str, parse, default=None, required=False):
            if key not in entry or entry[key] in (None, ""):
                if required:
                    found.bad((*path, key), None, "Angabe fehlt", shown=False)
                return default
            try:
                return parse(entry[key])
            except (ValueError, TypeError) as exc:
                found.bad((*path, key), entry[key], str(exc))
                return default

        found.unknown_keys(entry, path, known)
        rule = CumulationRule(
            basic_value=field("basic_value", lambda v: BasicValue.parse(str(v)), required=True),
            min_dependents=field(count_key, positive_int, required=True),
            raise_to=field("raise_to", lambda v: Level.parse(str(v)), required=True),
            at_level=field("at_level", lambda v: Level.parse(str(v)), Level.NORMAL),
            types=field("types", _parse_types, frozenset()),
            candidate_margin=field("candidate_margin", non_negative_int, 0),
            reason=str(entry.get("reason") or ""),
            name=str(entry.get("name") or f"Regel {index + 1}"),
        )
        if len(found.problems) == before and rule.raise_to <= rule.at_level:
            found.bad((*path, "raise_to"), rule.raise_to.label,
                      f"Regel wirkt nie: raise_to ({rule.raise_to.label}) muss über at_level "
                      f"({rule.at_level.label}) liegen, denn nach dem Maximumprinzip hat das Zielobjekt "
                      "mindestens den Wert seiner Abhängigen")
        if len(found.problems) == before:
            rules.append(rule)
    return tuple(rules)


def _parse_distribution(raw: object, found: _Found) -> DistributionSetting:
    if raw in (None, False):
        return DistributionSetting(enabled=False)
    if raw is True:
        return DistributionSetting(enabled=True)
    if not isinstance(raw, dict):
        found.bad(("distribution",), raw, "muss eine Zuordnung sein")
        return DistributionSetting()
    found.unknown_keys(raw, ("distribution",), DISTRIBUTION_KEYS)
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        found.bad(("distribution", "enabled"), enabled, "muss true oder false sein")
        enabled = False
    values = frozenset({BasicValue.AVAILABILITY})
    if "basic_values" in raw:
        try:
            values = frozenset(BasicValue.parse(str(v)) for v in as_list(raw["basic_values"]))
        except ValueError as exc:
            found.bad(("distribution", "basic_values"), raw["basic_values"], str(exc))
    documented = []
    for value in (BasicValue.CONFIDENTIALITY, BasicValue.INTEGRITY):
        entry = _parse_documented(raw, value, value in values, found)
        if entry is not None:
            documented.append(entry)
        elif value in values:
            values = values - {value}
    lower_by = 1
    if "lower_by" in raw:
        try:
            lower_by = positive_int(raw["lower_by"])
        except ValueError as exc:
            found.bad(("distribution", "lower_by"), raw["lower_by"], str(exc))
        else:
            if lower_by > MAX_LOWER_BY:
                found.bad(("distribution", "lower_by"), raw["lower_by"],
                          f"höchstens {MAX_LOWER_BY}: weiter als von sehr hoch auf normal lässt sich nicht senken")
                lower_by = MAX_LOWER_BY
    return DistributionSetting(enabled=enabled, basic_values=values, lower_by=lower_by,
                               documented=tuple(documented))


def _parse_documented(raw: dict, value: BasicValue, asked: bool, found: _Found) -> DocumentedDistribution | None:
    """The documented distribution of confidentiality or integrity (``distribution.<value>``), or ``None``.

    Confidentiality and integrity are lowered only where assessment.yaml asks
    for it twice: the basic value in ``basic_values`` and, under its own key,
    the redundancy groups that split the data and the reason.
    """
    key = value.value
    path = ("distribution", key)
    entry = raw.get(key)
    if entry is None:
        if asked:
            found.bad(("distribution", "basic_values"), raw["basic_values"],
                      f"Verteilungseffekt für {key} ({value.label}) nur mit Begründung: unter 'distribution.{key}' "
                      "die Redundanzgruppen ('groups'), die die Daten aufteilen, und die Begründung ('reason') "
                      "angeben – eine Kopie ist so vertraulich und so integritätskritisch wie das Original")
        return None
    if not isinstance(entry, dict):
        found.bad(path, entry, "muss eine Zuordnung mit 'groups' und 'reason' sein")
        return None
    found.unknown_keys(entry, path, DOCUMENTED_KEYS)
    before = len(found.problems)
    if not asked:
        found.bad(path, None, f"wirkt nur, wenn 'basic_values' auch {key} enthält", shown=False)
    groups = [str(g).strip() for g in as_list(entry.get("groups")) if g is not None and str(g).strip()]
    if not groups:
        found.bad((*path, "groups"), None, "Angabe fehlt: welche Redundanzgruppen teilen die Daten auf?",
                  shown=False)
    reason = str(entry.get("reason") or "").strip()
    if not reason:
        found.bad((*path, "reason"), None, "Begründung fehlt: warum hält kein einzelnes Mitglied den ganzen "
                                           "Bestand?", shown=False)
    if len(found.problems) != before:
        return None
    return DocumentedDistribution(value, frozenset(groups), reason, found.line(path))


def _parse_types(value: object) -> frozenset[ObjectType]:
    return frozenset(ObjectType.parse(str(v)) for v in as_list(value))


def parse_risk_matrix(raw: object, file: str = SETTINGS_FILE) -> tuple[RiskMatrix, list[Problem]]:
    """The key ``risk_matrix`` of ``assessment.yaml``: the matrix and every problem found.

    ``default`` (or nothing) is :data:`~grundschutz.model.scales.DEFAULT_MATRIX`.
    A table has one key per impact; each row is a list of four categories (for
    selten, mittel, häufig, sehr häufig) or a mapping frequency -> category. A
    category may not fall as frequency or impact rises.

    >>> m, problems = parse_risk_matrix({"vernachlässigbar": ["gering"] * 4, "begrenzt": ["gering"] * 4,
    ...                                  "beträchtlich": ["mittel"] * 4, "existenzbedrohend": ["hoch"] * 4})
    >>> m.category(Frequency.SELTEN, Impact.EXISTENZBEDROHEND).label, problems
    ('hoch', [])
    >>> print(parse_risk_matrix("streng")[1][0])  # doctest: +ELLIPSIS
    assessment.yaml, Spalte 'risk_matrix', Wert 'streng': muss 'default' oder eine 4x4-Tabelle sein ...
    """
    problems: list[Problem] = []
    if raw is None or (isinstance(raw, str) and raw.strip().lower() == "default"):
        return DEFAULT_MATRIX, problems
    if not isinstance(raw, dict):
        return DEFAULT_MATRIX, [Problem(file, None, "risk_matrix", show(raw),
                                        "muss 'default' oder eine 4x4-Tabelle sein (Zeilen: Auswirkung "
                                        "vernachlässigbar .. existenzbedrohend, Spalten: Häufigkeit selten .. "
                                        "sehr häufig)")]

    def bad(where: str, value: object, message: str) -> None:
        problems.append(Problem(file, None, f"risk_matrix{where}", None if value is None else show(value),
                                message))

    rows: dict[Impact, object] = {}
    for key, row in raw.items():
        try:
            impact = Impact.parse(str(key))
        except ValueError as exc:
            bad(f".{key}", None, str(exc))
            continue
        if impact in rows:
            bad(f".{key}", None, f"Auswirkung '{impact}' doppelt angegeben")
        rows[impact] = row
    cells: dict[tuple[Impact, Frequency], RiskCategory] = {}
    for impact in Impact:
        where = f".{impact}"
        if impact not in rows:
            bad(where, None, "Zeile fehlt")
            continue
        row = rows[impact]
        if isinstance(row, list):
            if len(row) != len(Frequency):
                bad(where, row, f"braucht 4 Kategorien (selten, mittel, häufig, sehr häufig), hat {len(row)}")
                continue
            given = dict(zip(Frequency, row))
        elif isinstance(row, dict):
            given = {}
            for key, value in row.items():
                try:
                    given[Frequency.parse(str(key))] = value
                except ValueError as exc:
                    bad(f"{where}.{key}", None, str(exc))
            for frequency in Frequency:
                if frequency not in given:
                    bad(f"{where}.{frequency}", None, "Angabe fehlt")
        else:
            bad(where, row, "muss eine Liste von 4 Kategorien oder eine Zuordnung Häufigkeit -> Kategorie sein")
            continue
        for frequency, value in given.items():
            try:
                cells[(impact, frequency)] = RiskCategory.parse(str(value))
            except ValueError as exc:
                bad(f"{where}.{frequency}", value, str(exc))
    if problems:
        return DEFAULT_MATRIX, problems
    steps = [(i, a, i, b, "Häufigkeit", a) for i in Impact for a, b in pairwise(Frequency)]
    steps += [(a, f, b, f, "Auswirkung", a) for f in Frequency for a, b in pairwise(Impact)]
    for low_i, low_f, high_i, high_f, word, low in steps:
        if cells[(high_i, high_f)] < cells[(low_i, low_f)]:
            bad(f".{high_i}.{high_f}", cells[(high_i, high_f)],
                f"Kategorie sinkt mit steigender {word} ({low}: {cells[(low_i, low_f)]})")
    return (DEFAULT_MATRIX, problems) if problems else (RiskMatrix(cells, file), problems)
