"""The modelling rules as data: object selectors and the rules of both editions.

A rule file (``catalogs/modelling.yaml`` for the Kompendium 2023,
``catalogs/gspp_modelling.yaml`` for Grundschutz++) maps objects, chosen by
type and tags (Kompendium: also by their neighbours in the dependency graph,
``depends_on``/``used_by``), to Bausteine or Zielobjekt-Kategorien, each with
a reason. ``modelling.yaml`` also holds the name hints (:class:`NameHint`) and
the Zielobjekttyp of the Kompendium's modelling table per object type.
Reading and checking the files is :mod:`grundschutz.catalog.rules`; applying
them is :mod:`grundschutz.method.modelling`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

from grundschutz.model.assessment import Dependency, TargetObject
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


class DependencyView:
    """The direct neighbours of every object in the dependency graph, for selectors with
    ``depends_on``/``used_by``.

    >>> a, b = TargetObject("A", ObjectType.CLIENT, "a"), TargetObject("B", ObjectType.NETWORK, "b")
    >>> view = DependencyView([a, b], [Dependency("A", "B")])
    >>> [o.id for o in view.depends_on("A")], [o.id for o in view.used_by("B")]
    (['B'], ['A'])
    """

    def __init__(self, objects: Iterable[TargetObject], dependencies: Iterable[Dependency]):
        by_id = {o.id: o for o in objects}
        targets: dict[str, list[TargetObject]] = {}
        sources: dict[str, list[TargetObject]] = {}
        for d in dependencies:
            if d.source in by_id and d.target in by_id:
                targets.setdefault(d.source, []).append(by_id[d.target])
                sources.setdefault(d.target, []).append(by_id[d.source])
        self._targets = MappingProxyType({k: tuple(v) for k, v in targets.items()})
        self._sources = MappingProxyType({k: tuple(v) for k, v in sources.items()})
        self._tags: dict[str, dict[str, str]] = {}

    def tags(self, obj: TargetObject) -> dict[str, str]:
        """The :func:`normalised_tags` of one of the view's objects, computed once."""
        found = self._tags.get(obj.id)
        if found is None:
            found = self._tags[obj.id] = normalised_tags(obj)
        return found

    def depends_on(self, object_id: str) -> tuple[TargetObject, ...]:
        """The objects ``object_id`` depends on directly (its edges ``object_id → X``)."""
        return self._targets.get(object_id, ())

    def used_by(self, object_id: str) -> tuple[TargetObject, ...]:
        """The objects that depend directly on ``object_id`` (edges ``X → object_id``)."""
        return self._sources.get(object_id, ())


@dataclass(frozen=True)
class ObjectSelector:
    """Which objects a rule applies to: types (empty = any), tag conditions and
    (Kompendium rules only) conditions on the direct neighbours in the dependency graph.

    ``depends_on``: the object depends directly on at least one object that
    matches this selector; ``used_by``: at least one object that matches it
    depends directly on the object. Both nest (a path of several edges).
    """

    types: frozenset[ObjectType] = frozenset()
    all: tuple[TagSelector, ...] = ()
    any: tuple[TagSelector, ...] = ()
    none: tuple[TagSelector, ...] = ()
    depends_on: ObjectSelector | None = None
    used_by: ObjectSelector | None = None

    @property
    def uses_graph(self) -> bool:
        """Whether matching needs the dependency graph."""
        return self.depends_on is not None or self.used_by is not None

    def matches(self, obj: TargetObject, graph: DependencyView | None = None,
                tags: Mapping[str, str] | None = None) -> bool:
        """Whether ``obj`` is of one of the types and meets every tag and graph condition.

        ``graph`` is required when :attr:`uses_graph` (:class:`ValueError` otherwise);
        ``tags``: the object's :func:`normalised_tags`, if the caller has them already.
        """
        if self.types and obj.type not in self.types:
            return False
        if tags is None:
            tags = normalised_tags(obj)
        if not (
            all(s.matches(tags) for s in self.all)
            and (not self.any or any(s.matches(tags) for s in self.any))
            and not any(s.matches(tags) for s in self.none)
        ):
            return False
        if not self.uses_graph:
            return True
        if graph is None:
            raise ValueError("Selektor mit depends_on/used_by braucht den Abhängigkeitsgraphen")
        return (
            (self.depends_on is None or self.depends_on.matches_any(graph.depends_on(obj.id), graph))
            and (self.used_by is None or self.used_by.matches_any(graph.used_by(obj.id), graph))
        )

    def matches_any(self, objects: Iterable[TargetObject], graph: DependencyView) -> bool:
        """Whether one of ``objects`` (objects of ``graph``) matches."""
        types = self.types
        return any((not types or o.type in types) and self.matches(o, graph, graph.tags(o)) for o in objects)


def normalised_tags(obj: TargetObject) -> dict[str, str]:
    """The object's tags with keys and values case-folded, as selectors compare them."""
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
class ScopeQuote:
    """A quote from a Baustein's section "Abgrenzung und Modellierung" that allows a rule to
    put ``baustein`` on object types other than the Zielobjekttyp of the Kompendium's
    modelling table. ``source`` is the Baustein whose section holds the quote (default:
    ``baustein`` itself)."""

    baustein: str
    quote: str
    source: str = ""

    @property
    def quoted_from(self) -> str:
        """The Baustein whose "Abgrenzung und Modellierung" holds the quote."""
        return self.source or self.baustein


@dataclass(frozen=True)
class ModellingRule(RuleBase):
    """Objects matching ``selector`` get ``bausteine`` for ``reason`` (see ``modelling.yaml``).

    ``when_present``: apply only if some object of the assessment matches it;
    ``when_absent``: only if none does. ``covered``: assign nothing, the
    object needs no own Bausteine. ``uncovered``: assign nothing and say why
    no Baustein fits (the object needs a risk analysis; ``reason`` says why).
    ``scope``: quotes that allow Bausteine on other Zielobjekttypen than the
    Kompendium's table names. ``covered_by``: with ``covered``, the Bausteine
    (on other objects) that cover the matching objects; their elementary
    threats make the object's threat overview. ``position``: 1-based index in the file;
    ``line``: where the rule starts.
    """

    id: str
    selector: ObjectSelector
    bausteine: tuple[str, ...]
    reason: str
    covered: bool = False
    when_present: ObjectSelector | None = None
    position: int = 0
    line: int | None = None
    when_absent: ObjectSelector | None = None
    uncovered: bool = False
    scope: tuple[ScopeQuote, ...] = ()
    covered_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameHint:
    """A hint of ``modelling.yaml``: an object of one of ``types`` (empty = any) whose
    name contains one of ``words`` probably should carry the tag ``tag``.

    A word of four characters or more matches anywhere in the name (German compounds:
    "Hauptserverraum"); a shorter one only as a whole word ("NAS", "DNS"). Case is ignored.

    >>> hint = NameHint(("serverraum", "nas"), frozenset(), TagSelector.parse("serverraum"))
    >>> hint.word_in("Hauptserverraum Rathaus"), hint.word_in("NAS-System"), hint.word_in("Nasszelle")
    ('serverraum', 'nas', None)
    """

    words: tuple[str, ...]
    types: frozenset[ObjectType]
    tag: TagSelector
    line: int | None = None

    def word_in(self, name: str) -> str | None:
        """The first of ``words`` found in ``name``, else ``None``."""
        text = name.casefold()
        tokens = set(re.split(r"[^\w]+", text))
        for word in self.words:
            if (len(word) >= 4 and word in text) or word in tokens:
                return word
        return None


@dataclass(frozen=True)
class ModellingRules(RuleSetBase[ModellingRule]):
    """A validated rule set, in file order, with the name hints and the Zielobjekttyp of
    the Kompendium's modelling table per object type (``target_types``)."""

    rules: tuple[ModellingRule, ...]
    edition: str = RULES_EDITION
    source: str = RULES_FILE
    hints: tuple[NameHint, ...] = ()
    target_types: Mapping[ObjectType, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)

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
