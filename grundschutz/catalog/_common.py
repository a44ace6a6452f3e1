"""Helpers shared by the catalog parsers (internal, not part of the public API)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from grundschutz.model.errors import CatalogError, os_read_reason
from grundschutz.model.ids import (  # noqa: F401 - the parsers use them from here
    is_requirement_id,
    normalise_requirement_id,
    normalise_threat_id,
    sorted_threats,
    threat_sort_key,
)
from grundschutz.model.library_errors import german_reason

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
        raise CatalogError(f"{what} nicht lesbar: {file} ({os_read_reason(exc)})") from exc


def invalid_file(kind: str, exc: BaseException) -> str:
    """``keine gültige JSON-Datei (…)`` (``kind`` ``JSON`` or ``XML``) with the German reason of ``exc``.

    >>> import json
    >>> try:
    ...     json.loads(b'{"a": ')
    ... except ValueError as exc:
    ...     invalid_file("JSON", exc)
    'keine gültige JSON-Datei (Zeile 1, Spalte 7)'
    """
    reason = german_reason(exc) or str(exc)
    head = f"keine gültige {kind}-Datei"
    return reason if reason.startswith(head) else f"{head} ({reason})"


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (including CR/LF, NBSP) to one blank and strip."""
    return _WHITESPACE.sub(" ", text).strip()












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
