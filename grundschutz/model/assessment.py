"""The domain: levels, basic values, target objects, dependencies, assessments.

Everything here is a frozen dataclass or an enum; nothing here reads files or
computes propagation.

>>> max(Level.NORMAL, Level.SEHR_HOCH, Level.HOCH)
<Level.SEHR_HOCH: 3>
>>> Level.parse("Sehr_Hoch").label
'sehr hoch'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class Level(enum.IntEnum):
    """A protection need level (Schutzbedarfskategorie), ordered so that the
    Maximumprinzip is plain :func:`max`."""

    NORMAL = 1
    HOCH = 2
    SEHR_HOCH = 3

    @property
    def label(self) -> str:
        """The BSI's German word for the level: ``normal``, ``hoch``, ``sehr hoch``."""
        return _LEVEL_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Level:
        """Read a level as people write it.

        Accepts any case, ``_``/``-``/several spaces between words and the
        English words.

        >>> Level.parse(" HOCH ")
        <Level.HOCH: 2>
        >>> Level.parse("sehr-hoch")
        <Level.SEHR_HOCH: 3>
        >>> Level.parse("mittel")
        Traceback (most recent call last):
        ...
        ValueError: 'mittel' ist keine Schutzbedarfskategorie (normal, hoch, sehr hoch)
        """
        key = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
        try:
            return _LEVEL_WORDS[key]
        except KeyError:
            raise ValueError(
                f"'{text}' ist keine Schutzbedarfskategorie (normal, hoch, sehr hoch)"
            ) from None

    def lowered(self, steps: int) -> Level:
        """The level ``steps`` below this one, never below ``normal``.

        >>> Level.SEHR_HOCH.lowered(1)
        <Level.HOCH: 2>
        >>> Level.NORMAL.lowered(1)
        <Level.NORMAL: 1>
        """
        return Level(max(Level.NORMAL, self - steps))

    def __str__(self) -> str:
        return self.label


_LEVEL_LABELS = {Level.NORMAL: "normal", Level.HOCH: "hoch", Level.SEHR_HOCH: "sehr hoch"}
_LEVEL_WORDS = {
    "normal": Level.NORMAL,
    "hoch": Level.HOCH,
    "high": Level.HOCH,
    "sehr hoch": Level.SEHR_HOCH,
    "sehrhoch": Level.SEHR_HOCH,
    "very high": Level.SEHR_HOCH,
}


class BasicValue(str, enum.Enum):
    """A basic value (Grundwert) of information security."""

    CONFIDENTIALITY = "confidentiality"
    INTEGRITY = "integrity"
    AVAILABILITY = "availability"

    @property
    def label(self) -> str:
        """The German word: Vertraulichkeit, Integrität, Verfügbarkeit."""
        return _BASIC_VALUE_LABELS[self]

    @property
    def letter(self) -> str:
        """The letter the Kreuzreferenztabellen use: C, I or A."""
        return self.value[0].upper()

    @classmethod
    def parse(cls, text: str) -> BasicValue:
        """Read a basic value by its English or German name or its letter.

        >>> BasicValue.parse("Verfügbarkeit")
        <BasicValue.AVAILABILITY: 'availability'>
        """
        key = text.strip().lower()
        for value in cls:
            if key in (value.value, value.label.lower(), value.letter.lower()):
                return value
        raise ValueError(
            f"'{text}' ist kein Grundwert (confidentiality, integrity, availability)"
        )

    def __str__(self) -> str:
        return self.value


_BASIC_VALUE_LABELS = {
    BasicValue.CONFIDENTIALITY: "Vertraulichkeit",
    BasicValue.INTEGRITY: "Integrität",
    BasicValue.AVAILABILITY: "Verfügbarkeit",
}
BASIC_VALUES: tuple[BasicValue, ...] = tuple(BasicValue)


class ObjectType(str, enum.Enum):
    """The kinds of target objects (Zielobjekte) of the Strukturanalyse."""

    PROCESS = "process"
    APPLICATION = "application"
    SERVER = "server"
    CLIENT = "client"
    MOBILE = "mobile"
    NETWORK_DEVICE = "network_device"
    PRINTER = "printer"
    TELEPHONY = "telephony"
    ICS = "ics"
    IOT = "iot"
    NETWORK = "network"
    ROOM = "room"
    BUILDING = "building"
    SERVICE = "service"
    INFORMATIONSVERBUND = "informationsverbund"

    @property
    def label(self) -> str:
        """The German name of the type as the BSI uses it."""
        return _TYPE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> ObjectType:
        """Read a type by its identifier or its German name, in any case.

        >>> ObjectType.parse("Fachanwendung")
        <ObjectType.APPLICATION: 'application'>
        """
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(key)
        except ValueError:
            pass
        if key in _TYPE_ALIASES:
            return _TYPE_ALIASES[key]
        allowed = ", ".join(t.value for t in cls)
        raise ValueError(f"unbekannter Objekttyp '{text}' (erlaubt: {allowed})")

    def __str__(self) -> str:
        return self.value


_TYPE_LABELS = {
    ObjectType.PROCESS: "Geschäftsprozess",
    ObjectType.APPLICATION: "Anwendung",
    ObjectType.SERVER: "Server",
    ObjectType.CLIENT: "Client",
    ObjectType.MOBILE: "Mobilgerät",
    ObjectType.NETWORK_DEVICE: "Netzkomponente",
    ObjectType.PRINTER: "Drucker/Multifunktionsgerät",
    ObjectType.TELEPHONY: "TK-Anlage",
    ObjectType.ICS: "ICS-System",
    ObjectType.IOT: "IoT-Gerät",
    ObjectType.NETWORK: "Netz",
    ObjectType.ROOM: "Raum",
    ObjectType.BUILDING: "Gebäude",
    ObjectType.SERVICE: "Dienstleistung",
    ObjectType.INFORMATIONSVERBUND: "Informationsverbund",
}
_TYPE_ALIASES = {
    "geschäftsprozess": ObjectType.PROCESS,
    "prozess": ObjectType.PROCESS,
    "anwendung": ObjectType.APPLICATION,
    "fachanwendung": ObjectType.APPLICATION,
    "mobilgerät": ObjectType.MOBILE,
    "netzkomponente": ObjectType.NETWORK_DEVICE,
    "drucker": ObjectType.PRINTER,
    "tk_anlage": ObjectType.TELEPHONY,
    "netz": ObjectType.NETWORK,
    "raum": ObjectType.ROOM,
    "gebäude": ObjectType.BUILDING,
    "dienstleistung": ObjectType.SERVICE,
    "dienst": ObjectType.SERVICE,
}


class Rule(str, enum.Enum):
    """How a final value came about (its provenance)."""

    ASSESSED = "assessed"
    MAXIMUM = "maximum"
    CUMULATION = "cumulation"
    DISTRIBUTION = "distribution"
    OVERRIDE = "override"

    @property
    def label(self) -> str:
        """The German name of the rule."""
        return _RULE_LABELS[self]

    def __str__(self) -> str:
        return self.value


_RULE_LABELS = {
    Rule.ASSESSED: "festgestellt",
    Rule.MAXIMUM: "Maximumprinzip",
    Rule.CUMULATION: "Kumulationseffekt",
    Rule.DISTRIBUTION: "Verteilungseffekt",
    Rule.OVERRIDE: "manuell gesetzt",
}


class Effect(str, enum.Enum):
    """Why an override departs from the computed value."""

    MANUAL = "manual"
    CUMULATION = "cumulation"
    DISTRIBUTION = "distribution"

    def __str__(self) -> str:
        return self.value


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
class Settings:
    """The contents of ``assessment.yaml``."""

    name: str = ""
    organisation: str = ""
    edition: str = "kompendium-2023"
    variant: str = "standard"
    cumulation: tuple[CumulationRule, ...] = ()
    distribution: DistributionSetting = DistributionSetting()
    risk_matrix: object = "default"
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True)
class Assessment:
    """A validated assessment: settings, objects, dependencies, needs, overrides.

    ``needs[object_id][basic_value]`` is the assessed need (absent = not set
    here); ``overrides[object_id][basic_value]`` a value set by hand.
    """

    settings: Settings
    objects: Mapping[str, TargetObject]
    dependencies: tuple[Dependency, ...] = ()
    needs: Mapping[str, Mapping[BasicValue, Need]] = field(default_factory=dict)
    overrides: Mapping[str, Mapping[BasicValue, Override]] = field(default_factory=dict)
    source: str = ""

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

    def __len__(self) -> int:
        return len(self.objects)

    def object(self, object_id: str) -> TargetObject:
        """The object with this id; :class:`UnknownObjectError` if there is none."""
        from grundschutz.model.errors import UnknownObjectError

        try:
            return self.objects[object_id]
        except KeyError:
            raise UnknownObjectError(
                f"Zielobjekt '{object_id}' gibt es in {self.source or 'der Bewertung'} nicht"
            ) from None
