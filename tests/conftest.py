"""Shared fixtures: paths to the worked example and the official catalogs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CATALOGS = Path(
    os.environ.get("GRUNDSCHUTZ_TEST_CATALOGS", REPO.parent / "shared" / "catalogs")
)
HAAN = REPO / "assessments" / "haan"


@pytest.fixture(scope="session")
def shared_catalogs() -> Path:
    """The folder with the official BSI files (../shared/catalogs)."""
    if not SHARED_CATALOGS.is_dir():
        pytest.fail(f"catalog folder not found: {SHARED_CATALOGS} (set GRUNDSCHUTZ_TEST_CATALOGS)")
    return SHARED_CATALOGS


@pytest.fixture(scope="session")
def haan() -> Path:
    """The worked example assessment of Stadt Haan."""
    return HAAN


@pytest.fixture(autouse=True, scope="session")
def _catalog_cache_outside_shared(tmp_path_factory):
    """Parsed catalogs are cached in a temporary folder, never in ../shared."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GRUNDSCHUTZ_CACHE", str(tmp_path_factory.mktemp("catalog-cache")))
    yield
    mp.undo()


def analysed(path, catalogs=None, *, variant=None):
    """The :class:`~grundschutz.method.analysis.Analysis` of the assessment at ``path``.

    ``catalogs`` is a catalog folder (``None``: no catalog, Schutzbedarf only).
    The public API, step by step: read every file once, load the catalog, analyse.
    """
    from grundschutz.catalog import load_catalog
    from grundschutz.io import read_assessment
    from grundschutz.method import analyse

    catalog = load_catalog(catalogs) if catalogs is not None else None
    return analyse(read_assessment(path), catalog, variant=variant)
