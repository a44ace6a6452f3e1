"""A scenario as read from ``scenarios/<name>.yaml``: an overlay on an assessment.

The file format is described in ``docs/format.md``; reading and checking it is
:mod:`grundschutz.io.scenarios`, applying and comparing it
:mod:`grundschutz.method.scenario`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from grundschutz.model.assessment import Dependency, Need, Override, TargetObject
from grundschutz.model.levels import BasicValue, Effect, Level
from grundschutz.model.records import CheckRecord, ModellingChange


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
class Scenario:
    """A parsed scenario file. ``lines`` maps ``(section, id...)`` to the line
    in the file, for messages; ``bausteine`` and ``check`` are rows like those
    of ``modelling.csv`` and ``check.csv`` whose ``row`` is the line in the file."""

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
    bausteine: tuple[ModellingChange, ...] = ()
    check: tuple[CheckRecord, ...] = ()
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
