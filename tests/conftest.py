"""Shared fixtures: paths to the worked example and the official catalogs.

Project rule for tests that need something outside the repository (the
official BSI catalog files, Chromium): they run when it is there and are
skipped with a reason when it is not -- except under ``CI=true``, where its
absence is a failure (:func:`require_or_skip`).

Hypothesis profiles: a property is written with the number of examples it
runs on CI (``@settings(max_examples=examples(150))``). The ``default``
profile, a developer's ``pytest``, runs a third of them (at least 5); ``ci``
(chosen by itself under ``CI=true``) runs them as written; ``thorough`` runs ten
times as many. Choose one with ``pytest --hypothesis-profile thorough`` or
``HYPOTHESIS_PROFILE=thorough``.

The worked example is analysed once per test process (:func:`haan_analysis`)
and exported once (:func:`haan_workbook`), for the tests that only read them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
#: ``$GRUNDSCHUTZ_TEST_CATALOGS``, else ``../shared/catalogs`` next to the repository
#: (for a worktree /work/wt-x that is /work/shared/catalogs).
SHARED_CATALOGS = Path(os.environ.get("GRUNDSCHUTZ_TEST_CATALOGS") or REPO.parent / "shared" / "catalogs")
HAAN = REPO / "assessments" / "haan"


def on_ci() -> bool:
    """True under ``CI=true`` (as GitHub Actions, GitLab CI and others set it)."""
    return os.environ.get("CI", "").strip().lower() == "true"


def require_or_skip(reason: str) -> None:
    """Skip the test with ``reason``; under ``CI=true`` fail instead (nothing is skipped on CI)."""
    if on_ci():
        pytest.fail(f"{reason} [CI=true: missing prerequisites are a failure, not a skip]", pytrace=False)
    pytest.skip(reason)


#: Examples of the profiles, relative to ``ci`` (100, Hypothesis' own default, stands for "as written").
_PROFILES = {"default": 34, "ci": 100, "thorough": 1000}
for _name, _examples in _PROFILES.items():
    settings.register_profile(_name, max_examples=_examples, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if on_ci() else "default"))


def examples(written: int) -> int:
    """The examples a property runs under the loaded profile; ``written`` is what it runs under ``ci``."""
    return max(5, round(written * settings().max_examples / _PROFILES["ci"]))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="Rewrite tests/golden/ from the current code instead of comparing "
             "(same as GRUNDSCHUTZ_UPDATE_GOLDEN=1); see tests/test_golden.py.",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are rewritten (``--update-golden`` or ``GRUNDSCHUTZ_UPDATE_GOLDEN=1``)."""
    return bool(request.config.getoption("--update-golden")) or os.environ.get("GRUNDSCHUTZ_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def missing_prerequisite():
    """The project rule as a fixture: ``missing_prerequisite(reason)`` skips, or fails under ``CI=true``."""
    return require_or_skip


@pytest.fixture(scope="session")
def shared_catalogs() -> Path:
    """The folder with the official BSI files (``$GRUNDSCHUTZ_TEST_CATALOGS`` or ../shared/catalogs).

    Missing: the test is skipped with the reason, under ``CI=true`` it fails.
    """
    if not SHARED_CATALOGS.is_dir():
        origin = "from GRUNDSCHUTZ_TEST_CATALOGS" if os.environ.get("GRUNDSCHUTZ_TEST_CATALOGS") else \
            "../shared/catalogs next to the repository"
        require_or_skip(
            f"official BSI catalog files not found: {SHARED_CATALOGS} ({origin}); set GRUNDSCHUTZ_TEST_CATALOGS "
            f"to the folder or provide ../shared/catalogs ({REPO.parent / 'shared' / 'catalogs'})"
        )
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


@pytest.fixture(scope="session")
def haan_analysis(haan, shared_catalogs):
    """The analysis of the worked example with the official catalogs, made once per test process.

    Shared: only for tests that read it (its steps are computed on first use
    and kept).
    """
    return analysed(haan, shared_catalogs)


@pytest.fixture(scope="session")
def haan_workbook(haan_analysis, tmp_path_factory):
    """``(path, result)`` of :func:`~grundschutz.exchange.excel.export.export_workbook` of the worked
    example, exported once per test process; read it, never change it."""
    from grundschutz.exchange.excel.export import export_workbook

    path = tmp_path_factory.mktemp("haan-export") / "haan.xlsx"
    return path, export_workbook(haan_analysis, path)


SMALL = Path(__file__).parent / "data" / "small"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A writable copy of the small example assessment (``tests/data/small``)."""
    import shutil

    target = tmp_path / "bewertung"
    shutil.copytree(SMALL, target)
    (target / "expected-needs.csv").unlink()
    return target


def problems_of(path) -> list[str]:
    """The problems ``read_assessment(path)`` raises, as the user reads them."""
    from grundschutz import AssessmentError, read_assessment

    with pytest.raises(AssessmentError) as info:
        read_assessment(path)
    return [str(p) for p in info.value.problems]
