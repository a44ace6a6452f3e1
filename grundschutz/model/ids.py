"""Identifiers of the BSI catalogs as people write them: requirements and elementary threats.

>>> normalise_requirement_id(" OPS.2.3A22 ")
'OPS.2.3.A22'
>>> normalise_threat_id("G0.18 ")
'G 0.18'
>>> sorted_threats(["G 0.10", "G 0.2", "G 0.2"])
('G 0.2', 'G 0.10')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Requirement id, tolerant of the missing dot in the official ``OPS.2.3A22``.
REQUIREMENT_ID = re.compile(r"^([A-Z]{3,4}(?:\.\d+)+)\.?(A\d+)$")
#: Elementary threat id ``G 0.n`` in the spellings people use.
THREAT_ID = re.compile(r"^G\s*0\.(\d+)$")


def normalise_requirement_id(raw: str) -> str:
    """Return the canonical requirement id (``OPS.2.3A22`` -> ``OPS.2.3.A22``).

    Surrounding whitespace is removed. Strings that are not requirement ids
    (a Grundschutz++ control id, say) are returned stripped but otherwise unchanged.
    """
    text = raw.strip()
    match = REQUIREMENT_ID.match(text)
    if match is None:
        return text
    return f"{match.group(1)}.{match.group(2)}"


def is_requirement_id(text: str) -> bool:
    """Whether ``text`` (after stripping) looks like a Kompendium requirement id."""
    return REQUIREMENT_ID.match(text.strip()) is not None


def normalise_threat_id(raw: str) -> str | None:
    """Return ``'G 0.n'`` for spellings like ``'G 0.18'``/``'G0.18 '``, else ``None``."""
    match = THREAT_ID.match(raw.strip())
    if match is None:
        return None
    return f"G 0.{int(match.group(1))}"


def threat_sort_key(threat_id: str) -> tuple[int, str]:
    """Sort key putting ``G 0.2`` before ``G 0.10``."""
    match = THREAT_ID.match(threat_id)
    return (int(match.group(1)), "") if match else (10**6, threat_id)


def sorted_threats(threat_ids: Iterable[str]) -> tuple[str, ...]:
    """Return the threat ids sorted numerically and without duplicates."""
    return tuple(sorted(set(threat_ids), key=threat_sort_key))
