"""The modelling rules as data: object selectors and the rules of both editions.

A rule file (``catalogs/modelling.yaml`` for the Kompendium 2023,
``catalogs/gspp_modelling.yaml`` for Grundschutz++) maps objects, chosen by
type and tags, to Bausteine or Zielobjekt-Kategorien, each with a reason.
Reading and checking the files is :mod:`grundschutz.catalog.rules`; applying
them is :mod:`grundschutz.method.modelling`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from grundschutz.model.assessment import TargetObject
from grundschutz.model.levels import ObjectType

R = TypeVar("R")
#: The rule edition of ``modelling.yaml``.
RULES_EDITION = "kompendium-2023"
RULES_FILE = "modelling.yaml"
GSPP_RULES_FILE = "gspp_modelling.yaml"


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


# --------------------------------------------------------------------------- rules


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
class ModellingRule(RuleBase):
    """Objects matching ``selector`` get ``bausteine`` for ``reason`` (see ``modelling.yaml``).

    ``when_present``: apply only if some object of the assessment matches it.
    ``covered``: assign nothing, the object needs no own Bausteine.
    ``position``: 1-based index in the file; ``line``: where the rule starts.
    """

    id: str
    selector: ObjectSelector
    bausteine: tuple[str, ...]
    reason: str
    covered: bool = False
    when_present: ObjectSelector | None = None
    position: int = 0
    line: int | None = None


@dataclass(frozen=True)
class ModellingRules(RuleSetBase[ModellingRule]):
    """A validated rule set, in file order."""

    rules: tuple[ModellingRule, ...]
    edition: str = RULES_EDITION
    source: str = RULES_FILE

    @property
    def bausteine(self) -> frozenset[str]:
        """Every Baustein id some rule names."""
        return frozenset(b for rule in self.rules for b in rule.bausteine)


@dataclass(frozen=True)
class CategoryRule(RuleBase):
    """Objects matching ``selector`` get ``categories`` (and with ``general`` the
    controls without category) for ``reason``; see ``gspp_modelling.yaml``."""

    id: str
    selector: ObjectSelector
    categories: tuple[str, ...]
    reason: str
    general: bool = False
    covered: bool = False
    when_present: ObjectSelector | None = None
    position: int = 0
    line: int | None = None


@dataclass(frozen=True)
class GsppRules(RuleSetBase[CategoryRule]):
    """A validated Grundschutz++ rule set, in file order."""

    rules: tuple[CategoryRule, ...]
    source: str = GSPP_RULES_FILE

    @property
    def categories(self) -> frozenset[str]:
        """Every category some rule names."""
        return frozenset(c for rule in self.rules for c in rule.categories)
