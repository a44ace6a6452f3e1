"""The scales of the Risikoanalyse (BSI-Standard 200-3) and the risk matrix.

Frequency (Eintrittshäufigkeit), impact (Auswirkung), risk category and
treatment are ordered German scales; members compare by rank and parse the
words people write (any case, ``ae`` for ``ä``).

>>> Frequency.parse("Sehr haeufig"), Impact.parse("begrenzt").rank
(<Frequency.SEHR_HAEUFIG: 'sehr häufig'>, 1)
>>> DEFAULT_MATRIX.category(Frequency.HAEUFIG, Impact.BETRAECHTLICH).label
'hoch'
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

_UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"))


@functools.total_ordering
class Scale(enum.Enum):
    """An ordered German scale; members compare by :attr:`rank`."""

    @property
    def label(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        """0 for the lowest step."""
        return list(type(self)).index(self)

    @classmethod
    def parse(cls, text: str):
        key = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
        for candidate in (key, _with_umlauts(key)):
            for member in cls:
                if member.value == candidate:
                    return member
        raise ValueError(f"{_NOUNS[cls.__name__]} (erlaubt: {', '.join(m.value for m in cls)})")

    def __lt__(self, other):
        return self.rank < other.rank if type(other) is type(self) else NotImplemented

    def __str__(self) -> str:
        return self.value


def _with_umlauts(key: str) -> str:
    for plain, umlaut in _UMLAUTS:
        key = key.replace(plain, umlaut)
    return key


class Frequency(Scale):
    """Eintrittshäufigkeit of a threat."""

    SELTEN = "selten"
    MITTEL = "mittel"
    HAEUFIG = "häufig"
    SEHR_HAEUFIG = "sehr häufig"


class Impact(Scale):
    """Auswirkung (Schadenshöhe) of a threat."""

    VERNACHLAESSIGBAR = "vernachlässigbar"
    BEGRENZT = "begrenzt"
    BETRAECHTLICH = "beträchtlich"
    EXISTENZBEDROHEND = "existenzbedrohend"


class RiskCategory(Scale):
    """Risikokategorie from the matrix."""

    GERING = "gering"
    MITTEL = "mittel"
    HOCH = "hoch"
    SEHR_HOCH = "sehr hoch"


class Treatment(Scale):
    """Risikobehandlung (BSI 200-3, chapter 6)."""

    VERMEIDEN = "vermeiden"
    REDUZIEREN = "reduzieren"
    TRANSFERIEREN = "transferieren"
    AKZEPTIEREN = "akzeptieren"


_NOUNS = {"Frequency": "unbekannte Häufigkeit", "Impact": "unbekannte Auswirkung",
          "RiskCategory": "unbekannte Risikokategorie", "Treatment": "unbekannte Behandlung"}


# --------------------------------------------------------------------------- matrix


@dataclass(frozen=True)
class RiskMatrix:
    """Risk category per (impact, frequency); ``source`` is ``default`` or ``assessment.yaml``."""

    cells: Mapping[tuple[Impact, Frequency], RiskCategory]
    source: str = "default"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cells", MappingProxyType(dict(self.cells)))

    def category(self, frequency: Frequency, impact: Impact) -> RiskCategory:
        """The category of a threat rated ``frequency`` and ``impact``."""
        return self.cells[(impact, frequency)]

    def rows(self) -> list[tuple[Impact, tuple[RiskCategory, ...]]]:
        """Per impact the categories for selten .. sehr häufig (the layout of BSI 200-3's example)."""
        return [(i, tuple(self.cells[(i, f)] for f in Frequency)) for i in Impact]


def _matrix(rows: Mapping[Impact, tuple[str, str, str, str]], source: str) -> RiskMatrix:
    return RiskMatrix({(i, f): RiskCategory.parse(c) for i, row in rows.items() for f, c in zip(Frequency, row)},
                      source)


#: The example matrix of BSI 200-3 (chapter 5, Risikobewertung), rows by impact.
DEFAULT_MATRIX = _matrix({
    Impact.VERNACHLAESSIGBAR: ("gering", "gering", "gering", "gering"),
    Impact.BEGRENZT: ("gering", "gering", "mittel", "hoch"),
    Impact.BETRAECHTLICH: ("mittel", "mittel", "hoch", "sehr hoch"),
    Impact.EXISTENZBEDROHEND: ("mittel", "hoch", "sehr hoch", "sehr hoch"),
}, "default")
