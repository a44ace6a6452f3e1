"""The one exception hierarchy of grundschutz.

Every error a user can cause is a :class:`GrundschutzError`. The CLI turns it
into ``Fehler: ...`` with exit code 1; the library never prints. Errors about
input carry every :class:`Problem` found, so that the user can fix them in one go.
"""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the line number as a spreadsheet shows it (header = 1, first
    data row = 2); ``None`` where the problem concerns the whole file.

    >>> str(Problem("objects.csv", 3, "type", "sever", "unbekannter Objekttyp"))
    "objects.csv, Zeile 3, Spalte 'type', Wert 'sever': unbekannter Objekttyp"
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"Zeile {self.row}")
        if self.column is not None:
            parts.append(f"Spalte '{self.column}'")
        if self.value is not None:
            parts.append(f"Wert '{self.value}'")
        return ", ".join(parts) + f": {self.message}"


class GrundschutzError(Exception):
    """Base class of every error raised by grundschutz."""


class AssessmentError(GrundschutzError):
    """An assessment folder or workbook is invalid.

    Carries *all* problems found, so that the user can fix them in one go.
    """

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = sorted(set(problems), key=_problem_order)
        self.source = source
        count = len(self.problems)
        head = f"{count} Fehler" + (f" in {source}" if source else "") + ":"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


def _problem_order(problem: Problem) -> tuple:
    return (problem.file, problem.row or 0, problem.column or "", problem.message)


class ScenarioError(AssessmentError):
    """A scenario file is invalid or does not fit its assessment; ``problems`` lists every problem."""


class RulesError(GrundschutzError):
    """The modelling rules are invalid; ``problems`` (``row`` = line of the rule in the YAML file)."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = sorted(set(problems), key=_problem_order)
        self.source = source
        head = f"{len(self.problems)} Fehler in den Modellierungsregeln" + (f" ({source})" if source else "") + ":"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class UnknownObjectError(GrundschutzError):
    """An object id was asked for that the assessment does not contain."""


class CatalogError(GrundschutzError):
    """A BSI catalog file is missing, unreadable or not what it claims to be."""


#: German reasons of the operating system errors met while writing, by ``errno``.
WRITE_REASONS = {
    errno.ENOSPC: "Datenträger voll",
    errno.EDQUOT: "Speicherkontingent erschöpft",
    errno.EACCES: "keine Schreibrechte",
    errno.EPERM: "keine Schreibrechte",
    errno.EROFS: "Dateisystem nur lesbar",
    errno.ENOENT: "Ordner gibt es nicht",
    errno.ENOTDIR: "Ordner gibt es nicht",
    errno.EISDIR: "ist ein Ordner",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
}


#: German reasons of the operating system errors met while reading, by ``errno``.
READ_REASONS = {
    errno.EACCES: "keine Leserechte",
    errno.EPERM: "keine Leserechte",
    errno.ENOENT: "gibt es nicht",
    errno.ENOTDIR: "Ordner gibt es nicht",
    errno.EISDIR: "ist ein Ordner",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
    errno.EMFILE: "zu viele offene Dateien",
    errno.ENAMETOOLONG: "Name zu lang",
}


def os_read_reason(exc: OSError) -> str:
    """Why a file could not be read, in German, from the ``errno`` of ``exc``.

    >>> os_read_reason(PermissionError(errno.EACCES, "Permission denied"))
    'keine Leserechte'
    """
    return READ_REASONS.get(exc.errno, exc.strerror or str(exc))  # type: ignore[arg-type]


def os_error_reason(exc: OSError) -> str:
    """Why a file could not be written, in German, from the ``errno`` of ``exc``.

    >>> os_error_reason(OSError(errno.ENOSPC, "No space left on device"))
    'Datenträger voll'
    """
    return WRITE_REASONS.get(exc.errno, exc.strerror or str(exc))  # type: ignore[arg-type]


def unknown_name(kind: str, name: str, known: Iterable[str]) -> str:
    """The message for a name nobody defined: with the nearest known one, else the list of known names.

    >>> unknown_name("unbekannter Schlüssel", "distributon", ["name", "distribution", "cumulation"])
    "unbekannter Schlüssel 'distributon' – meinten Sie 'distribution'?"
    >>> unknown_name("unbekannte Spalte", "farbe", ["id", "type"])
    "unbekannte Spalte 'farbe' (erlaubt: id, type)"
    """
    choices = list(known)
    close = difflib.get_close_matches(str(name).casefold(), [c.casefold() for c in choices], n=1, cutoff=0.6)
    if close:
        match = next(c for c in choices if c.casefold() == close[0])
        return f"{kind} '{name}' – meinten Sie '{match}'?"
    return f"{kind} '{name}' (erlaubt: {', '.join(choices)})"
