"""The rows of the optional files of an assessment folder, as read and checked.

``modelling.csv`` gives :class:`ModellingChange` rows, ``check.csv``
:class:`CheckRecord` rows, ``risks.csv`` :class:`RiskRecord` rows,
``relevance.csv`` (Grundschutz++) :class:`RelevanceDecision` rows. Each row
keeps its ``file`` label and spreadsheet ``row`` number, so that a step of
the method that finds a problem only the catalog can show (an unknown
requirement, a Baustein the Kompendium lacks) still names file, row, column
and value.

>>> Status.parse(" Ja "), Status.parse("")
(<Status.JA: 'ja'>, <Status.UNBEARBEITET: 'unbearbeitet'>)
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from grundschutz.model.scales import Frequency, Impact, Treatment

#: Id of the implicit Informationsverbund object that carries the process Bausteine.
INFORMATIONSVERBUND_ID = "IV"


class Status(str, enum.Enum):
    """Implementation status of a requirement (Umsetzungsstatus)."""

    JA = "ja"
    TEILWEISE = "teilweise"
    NEIN = "nein"
    ENTBEHRLICH = "entbehrlich"
    UNBEARBEITET = "unbearbeitet"

    @classmethod
    def parse(cls, text: str) -> Status:
        """Read a status in any case; an empty cell is ``unbearbeitet``."""
        key = text.strip().lower() or cls.UNBEARBEITET.value
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(f"unbekannter Status (erlaubt: {allowed})") from None

    @property
    def implemented(self) -> bool:
        """True for ``ja`` and ``entbehrlich`` (counts as implemented)."""
        return self in (Status.JA, Status.ENTBEHRLICH)

    def __str__(self) -> str:
        return self.value


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)


@dataclass(frozen=True)
class ModellingChange:
    """One row of ``modelling.csv``: a Baustein added or removed by hand.

    ``action`` is ``"add"`` or ``"remove"``; a removal carries its reason.
    """

    object: str
    baustein: str
    action: str
    reason: str = ""
    row: int | None = None
    file: str = "modelling.csv"


@dataclass(frozen=True)
class RelevanceDecision:
    """One row of ``relevance.csv`` (Grundschutz++, Methodik STM.2.1.5): whether a control without
    Zielobjekt-Kategorie is relevant for a business process (``object``) or for the whole
    Informationsverbund (``IV``), and why."""

    object: str
    control: str
    relevant: bool
    reason: str = ""
    row: int | None = None
    file: str = "relevance.csv"


@dataclass(frozen=True)
class CheckRecord:
    """One row of ``check.csv``: the status of a requirement of an object.

    ``requirement`` is the id as normalised (``OPS.2.3A22`` -> ``OPS.2.3.A22``),
    ``written`` the cell as the officer wrote it (shown in messages).
    """

    object: str
    requirement: str
    status: Status = Status.UNBEARBEITET
    note: str = ""
    responsible: str = ""
    due: date | None = None
    checked_on: date | None = None
    row: int | None = None
    file: str = "check.csv"
    written: str = ""


@dataclass(frozen=True)
class RiskRecord:
    """One row of ``risks.csv``: a threat of an object, rated and treated.

    ``threat`` is ``G 0.n`` (normalised) for an elementary threat, else the
    officer's own id; ``elementary`` says which. ``title`` is empty for an
    elementary threat written without one (the Kompendium gives it).
    ``accepted_by``/``accepted_on``: who took over the risk (``akzeptieren``)
    or the residual risk after another treatment, and when. ``relevant`` is
    false for a threat the officer rules out of the overview (reason in ``note``).
    """

    object: str
    threat: str
    elementary: bool = False
    title: str = ""
    frequency: Frequency | None = None
    impact: Impact | None = None
    treatment: Treatment | None = None
    note: str = ""
    accepted_by: str = ""
    residual_frequency: Frequency | None = None
    residual_impact: Impact | None = None
    row: int | None = None
    file: str = "risks.csv"
    written: str = ""
    accepted_on: date | None = None
    relevant: bool = True
