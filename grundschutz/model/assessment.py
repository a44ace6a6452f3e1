"""The assessment as read: target objects, dependencies, needs, overrides, settings,
and the rows of the optional files.

Everything here is immutable -- frozen dataclasses, and the column stores the fast reader fills
(:class:`ObjectColumns`, :class:`DependencyColumns`); nothing here reads files or computes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.model.errors import Problem, ScenarioError, UnknownObjectError
from grundschutz.model.levels import BasicValue, Effect, Level, ObjectType
from grundschutz.model.records import CheckRecord, ModellingChange, RelevanceDecision, RiskRecord
from grundschutz.model.scales import DEFAULT_MATRIX, RiskMatrix

#: From this many dependencies on, graph work runs on numpy/scipy arrays (below, importing them costs more than
#: it saves).
LARGE_GRAPH = 50_000


def _frozen_mapping(value: Mapping | None) -> Mapping:
    if isinstance(value, ObjectColumns):  # immutable already, and too large to copy
        return value
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class TargetObject:
    """A target object (Zielobjekt); with ``count > 1`` a group of similar ones.

    ``tags`` maps a key to its value; a plain word maps to ``""``.
    """

    id: str
    type: ObjectType
    name: str
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    count: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", _frozen_mapping(self.tags))

    def has_tag(self, key: str, value: str | None = None) -> bool:
        """Whether the object carries the tag ``key`` (with ``value``, if given)."""
        return key in self.tags and (value is None or self.tags[key] == value)

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Dependency:
    """``source`` depends on ``target``: needs flow from source to target.

    Edges of one source that share a ``redundancy_group`` are alternatives
    (source runs on target 1 *or* target 2).
    """

    source: str
    target: str
    redundancy_group: str = ""
    note: str = ""


class ObjectColumns(Mapping[str, TargetObject]):
    """The objects of an assessment stored column by column, as the fast reader builds them.

    A read-only mapping from object id to :class:`TargetObject`, in the order
    of the file, like the ``dict`` of the row reader; each ``TargetObject`` is
    made when it is first asked for (and kept), so that a million objects cost
    a few lists, not a million instances, until someone looks at them.
    :meth:`column` gives one field of many objects at once.

    >>> objects = ObjectColumns(("A", "B"), (ObjectType.SERVER, ObjectType.ROOM), ("Server", "Raum"))
    >>> objects["B"], list(objects), objects.column("name", ["B", "A"])
    (TargetObject(id='B', type=<ObjectType.ROOM: 'room'>, name='Raum', description='', tags=mappingproxy({}), \
count=1), ['A', 'B'], ['Raum', 'Server'])
    """

    __slots__ = ("_made", "_order", "_row", "counts", "descriptions", "ids", "names", "tags", "types")

    def __init__(self, ids: Sequence[str], types: Sequence[ObjectType], names: Sequence[str],
                 descriptions: Sequence[str] | None = None, tags: Sequence[Mapping[str, str]] | None = None,
                 counts: Sequence[int] | None = None):
        self.ids = tuple(ids)
        n = len(self.ids)
        self.types, self.names = types, names
        self.descriptions = descriptions if descriptions is not None else ("",) * n
        self.tags = tags if tags is not None else (MappingProxyType({}),) * n
        self.counts = counts if counts is not None else (1,) * n
        self._row = dict(zip(self.ids, range(n)))
        self._made: dict[str, TargetObject] = {}
        self._order: tuple[object, list[int]] = ((), [])  # the rows of the ids last asked for, see column()

    def __getitem__(self, object_id: str) -> TargetObject:
        made = self._made.get(object_id)
        if made is None:
            i = self._row[object_id]
            made = self._made[object_id] = TargetObject(
                self.ids[i], self.types[i], self.names[i], self.descriptions[i], self.tags[i], self.counts[i])
        return made

    def __contains__(self, object_id: object) -> bool:
        return object_id in self._row

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"<ObjectColumns: {len(self)} Zielobjekte>"

    def row(self, object_id: str) -> int:
        """The row of an object: its position in :attr:`ids` and in every column."""
        return self._row[object_id]

    def column(self, name: str, object_ids: Iterable[str]) -> list:
        """The field ``name`` (``type``, ``name``, ``description``, ``tags``, ``count``) of each object."""
        values = {"type": self.types, "name": self.names, "description": self.descriptions, "tags": self.tags,
                  "count": self.counts}[name]
        if object_ids is self._order[0]:  # the same tuple of ids, field after field
            rows = self._order[1]
        else:
            rows = list(map(self._row.__getitem__, object_ids))
            if isinstance(object_ids, tuple):
                self._order = (object_ids, rows)
        return list(map(values.__getitem__, rows))


def object_column(objects: Mapping[str, TargetObject], name: str, object_ids: Iterable[str]) -> list:
    """The field ``name`` of each of ``object_ids``, from any mapping of objects
    (from :class:`ObjectColumns` without making the objects)."""
    if isinstance(objects, ObjectColumns):
        return objects.column(name, object_ids)
    return [getattr(objects[object_id], name) for object_id in object_ids]


@dataclass(frozen=True)
class Need:
    """One basic value's level with its reason, as written by the officer."""

    level: Level
    reason: str = ""


class DependencyColumns(Sequence[Dependency]):
    """The dependencies of an assessment stored column by column, as the fast reader builds them.

    A read-only sequence of :class:`Dependency` in the order of the file, like
    the tuple of the row reader, and equal to it. ``sources`` and ``targets``
    are rows of ``ids`` (the object ids in the order of ``objects.csv``),
    ``groups`` numbers into ``group_names`` (0: no redundancy group),
    ``notes`` the notes.

    >>> edges = DependencyColumns(("A", "B"), array("i", [0]), array("i", [1]), array("i", [1]), ("", "ha"), ("",))
    >>> edges[0], edges == (Dependency("A", "B", "ha"),)
    (Dependency(source='A', target='B', redundancy_group='ha', note=''), True)
    """

    __slots__ = ("group_names", "groups", "ids", "notes", "sources", "targets")

    def __init__(self, ids: Sequence[str], sources: array, targets: array, groups: array,
                 group_names: Sequence[str], notes: Sequence[str]):
        self.ids, self.sources, self.targets = ids, sources, targets
        self.groups, self.group_names, self.notes = groups, group_names, notes

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        ids = self.ids
        return Dependency(ids[self.sources[index]], ids[self.targets[index]], self.group_names[self.groups[index]],
                          self.notes[index])

    def __iter__(self) -> Iterator[Dependency]:
        ids, names = self.ids, self.group_names
        for source, target, group, note in zip(self.sources, self.targets, self.groups, self.notes):
            yield Dependency(ids[source], ids[target], names[group], note)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple, but mutable arrays inside

    def __repr__(self) -> str:
        return f"<DependencyColumns: {len(self)} Abhängigkeiten>"


@dataclass(frozen=True)
class Override:
    """A final value set by hand, with the effect that justifies it."""

    level: Level
    reason: str
    effect: Effect


@dataclass(frozen=True)
class CumulationRule:
    """A Kumulationseffekt rule from ``assessment.yaml``.

    An object of one of ``types`` (all types if empty) with at least
    ``min_dependents`` direct dependents whose need in ``basic_value`` is at
    least ``at_level`` is raised to ``raise_to``.
    """

    basic_value: BasicValue
    min_dependents: int
    raise_to: Level
    at_level: Level = Level.NORMAL
    types: frozenset[ObjectType] = frozenset()
    candidate_margin: int = 0
    reason: str = ""
    name: str = ""

    def applies_to(self, obj: TargetObject) -> bool:
        """Whether the rule's type filter admits the object."""
        return not self.types or obj.type in self.types


@dataclass(frozen=True)
class DocumentedDistribution:
    """A Verteilungseffekt on confidentiality or integrity that ``assessment.yaml`` asks for explicitly.

    The data is split over the members of the redundancy groups named in
    ``groups`` so that no single member holds the sensitive whole; ``reason``
    says how (shown with every value it lowers). ``line``: the line of the
    key in ``assessment.yaml``.
    """

    basic_value: BasicValue
    groups: frozenset[str]
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class DistributionSetting:
    """Whether and how the Verteilungseffekt lowers needs reaching redundancy groups.

    Availability is lowered in every redundancy group; confidentiality and
    integrity only when ``documented`` names the groups and the reason.
    """

    enabled: bool = False
    basic_values: frozenset[BasicValue] = frozenset({BasicValue.AVAILABILITY})
    lower_by: int = 1
    documented: tuple[DocumentedDistribution, ...] = ()

    def __post_init__(self) -> None:
        undocumented = set(self.basic_values) - {BasicValue.AVAILABILITY} - {d.basic_value for d in self.documented}
        if undocumented:
            raise ValueError(
                "the Verteilungseffekt lowers confidentiality or integrity only where assessment.yaml documents "
                "the redundancy groups that split the data, with a reason"
            )
        if self.lower_by < 1:
            raise ValueError(f"lower_by muss mindestens 1 sein, nicht {self.lower_by}")

    def documented_for(self, basic_value: BasicValue) -> DocumentedDistribution | None:
        """The documented distribution of ``basic_value`` (``None`` for availability and where there is none)."""
        return next((d for d in self.documented if d.basic_value is basic_value), None)

    def documented_groups(self, basic_value: BasicValue) -> frozenset[str] | None:
        """The redundancy groups whose members are lowered in ``basic_value``; ``None``: every group
        (availability)."""
        if basic_value is BasicValue.AVAILABILITY:
            return None
        documented = self.documented_for(basic_value)
        return documented.groups if documented is not None else frozenset()

    def lowers(self, basic_value: BasicValue, group: str) -> bool:
        """Whether the Verteilungseffekt lowers ``basic_value`` in the redundancy group named ``group``."""
        if not self.enabled or basic_value not in self.basic_values:
            return False
        groups = self.documented_groups(basic_value)
        return groups is None or group in groups


@dataclass(frozen=True)
class PortfolioSetting:
    """The key ``portfolio`` of a provider's ``assessment.yaml`` (a KRZ serving many clients).

    ``id`` is the key the clients' references use (``provider=<id>:<object>``;
    default: the folder name). ``cumulation`` are the Kumulationseffekt rules
    across clients: ``min_dependents`` counts client municipalities.
    """

    id: str = ""
    cumulation: tuple[CumulationRule, ...] = ()


@dataclass(frozen=True)
class Settings:
    """The contents of ``assessment.yaml``; ``portfolio`` only for a provider."""

    name: str = ""
    organisation: str = ""
    edition: str = "kompendium-2023"
    variant: str = "standard"
    cumulation: tuple[CumulationRule, ...] = ()
    distribution: DistributionSetting = DistributionSetting()
    risk_matrix: RiskMatrix = DEFAULT_MATRIX
    portfolio: PortfolioSetting | None = None


@dataclass(frozen=True)
class Assessment:
    """Everything read from one assessment folder or workbook, validated.

    ``needs[object_id][basic_value]`` is the assessed need (absent = not set
    here); ``overrides[object_id][basic_value]`` a value set by hand. The
    optional files give ``modelling_changes`` (``modelling.csv``),
    ``relevance_decisions`` (``relevance.csv``, Grundschutz++),
    ``check_records`` (``check.csv``), ``risk_records`` (``risks.csv``) and
    ``scenarios`` (``scenarios/*.yaml``, by name). ``source`` is the path read.
    """

    settings: Settings
    objects: Mapping[str, TargetObject]
    dependencies: Sequence[Dependency] = ()
    needs: Mapping[str, Mapping[BasicValue, Need]] = field(default_factory=dict)
    overrides: Mapping[str, Mapping[BasicValue, Override]] = field(default_factory=dict)
    source: str = ""
    modelling_changes: tuple[ModellingChange, ...] = ()
    check_records: tuple[CheckRecord, ...] = ()
    risk_records: tuple[RiskRecord, ...] = ()
    scenarios: Mapping[str, object] = field(default_factory=dict)
    relevance_decisions: tuple[RelevanceDecision, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "objects", _frozen_mapping(self.objects))
        object.__setattr__(
            self, "needs", _frozen_mapping({k: _frozen_mapping(v) for k, v in self.needs.items()})
        )
        object.__setattr__(
            self,
            "overrides",
            _frozen_mapping({k: _frozen_mapping(v) for k, v in self.overrides.items()}),
        )
        object.__setattr__(self, "scenarios", _frozen_mapping(self.scenarios))

    def __len__(self) -> int:
        return len(self.objects)

    def scenario(self, name: str):
        """The scenario ``name`` (``scenarios/<name>.yaml``; ``.yaml`` may be given);
        :class:`ScenarioError` naming the scenarios there are if there is none.

        Only the scenarios read from the folder's ``scenarios/`` are known: a
        name with a path (``../x``, ``/tmp/x.yaml``) is refused, never read."""
        stem = name[:-5] if name.endswith(".yaml") else name
        if "/" in stem or "\\" in stem or stem in ("", ".", ".."):
            known = ", ".join(self.scenarios) or "keine"
            raise ScenarioError([Problem("scenarios", None, None, name,
                                         "Szenario nur mit seinem Namen angeben, ohne Ordner: es gelten nur die "
                                         f"Dateien in scenarios/ (vorhanden: {known})")], "scenarios")
        if stem not in self.scenarios:
            label = f"scenarios/{stem}.yaml"
            known = ", ".join(self.scenarios) or "keine"
            raise ScenarioError([Problem(label, None, None, None,
                                         f"Szenario '{stem}' nicht gefunden (vorhanden: {known})")], label)
        return self.scenarios[stem]

    def object(self, object_id: str) -> TargetObject:
        """The object with this id; :class:`UnknownObjectError` if there is none."""
        try:
            return self.objects[object_id]
        except KeyError:
            raise UnknownObjectError(
                f"Zielobjekt '{object_id}' gibt es in {self.source or 'der Bewertung'} nicht"
            ) from None
