"""Access to the toolkit's own data files (``catalogs/`` in the repository)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def rules_file(name: str) -> Path:
    """The path of a data file shipped under ``catalogs/`` (e.g. ``modelling.yaml``).

    >>> rules_file("__init__.py").name
    '__init__.py'
    """
    return Path(str(resources.files("grundschutz.rules").joinpath(name)))
