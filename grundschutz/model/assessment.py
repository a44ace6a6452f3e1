"""The assessment as read: target objects, dependencies, needs, overrides, settings,
and the rows of the optional files.

Everything here is a frozen dataclass; nothing here reads files or computes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.model.errors import Problem, ScenarioError, UnknownObjectError
from grundschutz.model.levels import BasicValue, Effect, Level, ObjectType
from grundschutz.model.records import CheckRecord, ModellingChange, RiskRecord
from grundschutz.model.scales import DEFAULT_MATRIX, RiskMatrix


def _frozen_mapping(value: Mapping | None) -> Mapping:
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


@dataclass(frozen=True)
class Need:
    """One basic value's level with its reason, as written by the officer."""

    level: Level
    reason: str = ""


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
class DistributionSetting:
    """Whether and how the Verteilungseffekt lowers needs reaching redundancy groups."""

    enabled: bool = False
    basic_values: frozenset[BasicValue] = frozenset({BasicValue.AVAILABILITY})
    lower_by: int = 1

    def __post_init__(self) -> None:
        if set(self.basic_values) - {BasicValue.AVAILABILITY}:
            raise ValueError(
                "the Verteilungseffekt applies to availability only: a copy is as "
                "confidential and as integrity-critical as the original"
            )
        if self.lower_by < 1:
            raise ValueError("lower_by must be at least 1")


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
    ``check_records`` (``check.csv``), ``risk_records`` (``risks.csv``) and
    ``scenarios`` (``scenarios/*.yaml``, by name). ``source`` is the path read.
    """

    settings: Settings
    objects: Mapping[str, TargetObject]
    dependencies: tuple[Dependency, ...] = ()
    needs: Mapping[str, Mapping[BasicValue, Need]] = field(default_factory=dict)
    overrides: Mapping[str, Mapping[BasicValue, Override]] = field(default_factory=dict)
    source: str = ""
    modelling_changes: tuple[ModellingChange, ...] = ()
    check_records: tuple[CheckRecord, ...] = ()
    risk_records: tuple[RiskRecord, ...] = ()
    scenarios: Mapping[str, object] = field(default_factory=dict)

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
        :class:`ScenarioError` naming the scenarios there are if there is none."""
        stem = name[:-5] if name.endswith(".yaml") else name
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
