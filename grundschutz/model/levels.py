"""The ordered scales and names of the method: levels, basic values, object types, rules, effects.

>>> max(Level.NORMAL, Level.SEHR_HOCH, Level.HOCH)
<Level.SEHR_HOCH: 3>
>>> Level.parse("Sehr_Hoch").label
'sehr hoch'
"""

from __future__ import annotations

import enum


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
        try:
            return _BASIC_VALUE_WORDS[text.strip().lower()]
        except KeyError:
            raise ValueError(
                f"'{text}' ist kein Grundwert (confidentiality, integrity, availability)"
            ) from None

    def __str__(self) -> str:
        return self.value


_BASIC_VALUE_LABELS = {
    BasicValue.CONFIDENTIALITY: "Vertraulichkeit",
    BasicValue.INTEGRITY: "Integrität",
    BasicValue.AVAILABILITY: "Verfügbarkeit",
}
BASIC_VALUES: tuple[BasicValue, ...] = tuple(BasicValue)
#: A basic value by its English or German name or its letter, in lower case (what :meth:`BasicValue.parse` reads).
_BASIC_VALUE_WORDS = {
    word: value for value in BASIC_VALUES for word in (value.value, value.label.lower(), value.letter.lower())
}


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
