"""Helpers shared by the catalog parsers (internal, not part of the public API)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from grundschutz.model.errors import CatalogError

#: Requirement id, tolerant of the missing dot in the official ``OPS.2.3A22``.
_REQUIREMENT_ID = re.compile(r"^([A-Z]{3,4}(?:\.\d+)+)\.?(A\d+)$")
_THREAT_ID = re.compile(r"^G\s*0\.(\d+)$")
_WHITESPACE = re.compile(r"\s+")


class UnknownIdError(CatalogError, KeyError):
    """An id was looked up that the catalog does not contain.

    It is both a :class:`~grundschutz.model.errors.CatalogError` (for the CLI) and a
    :class:`KeyError` (for mapping-style code).
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def read_bytes(path: str | os.PathLike[str], what: str) -> bytes:
    """Return the content of ``path``; raise :class:`CatalogError` naming it if unreadable."""
    file = Path(path)
    if not file.exists():
        raise CatalogError(f"{what} nicht gefunden: {file}")
    if file.is_dir():
        raise CatalogError(f"{what}: {file} ist ein Verzeichnis, keine Datei")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{what} nicht lesbar: {file} ({exc.strerror or exc})") from exc


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (including CR/LF, NBSP) to one blank and strip."""
    return _WHITESPACE.sub(" ", text).strip()


def normalise_requirement_id(raw: str) -> str:
    """Return the canonical requirement id (``OPS.2.3A22`` -> ``OPS.2.3.A22``).

    Surrounding whitespace is removed. Strings that are not requirement ids
    are returned stripped but otherwise unchanged.

    >>> normalise_requirement_id(" OPS.2.3A22 ")
    'OPS.2.3.A22'
    """
    text = raw.strip()
    match = _REQUIREMENT_ID.match(text)
    if match is None:
        return text
    return f"{match.group(1)}.{match.group(2)}"


def is_requirement_id(text: str) -> bool:
    """Whether ``text`` (after stripping) looks like a Kompendium requirement id."""
    return _REQUIREMENT_ID.match(text.strip()) is not None


def normalise_threat_id(raw: str) -> str | None:
    """Return ``'G 0.n'`` for spellings like ``'G 0.18'``/``'G0.18 '``, else ``None``.

    >>> normalise_threat_id("G0.18 ")
    'G 0.18'
    """
    match = _THREAT_ID.match(raw.strip())
    if match is None:
        return None
    return f"G 0.{int(match.group(1))}"


def threat_sort_key(threat_id: str) -> tuple[int, str]:
    """Sort key putting ``G 0.2`` before ``G 0.10``."""
    match = _THREAT_ID.match(threat_id)
    return (int(match.group(1)), "") if match else (10**6, threat_id)


def sorted_threats(threat_ids) -> tuple[str, ...]:
    """Return the threat ids sorted numerically and without duplicates."""
    return tuple(sorted(set(threat_ids), key=threat_sort_key))


def split_outside_parentheses(text: str, separator: str = ",") -> tuple[str, ...]:
    """Split ``text`` on ``separator`` except inside ``(...)``; strip and drop empty parts.

    >>> split_outside_parentheses("IT-Betrieb, OT-Betrieb (Operational Technology, OT)")
    ('IT-Betrieb', 'OT-Betrieb (Operational Technology, OT)')
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")" and depth > 0:
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return tuple(p for p in (normalise_space(part) for part in parts) if p)
