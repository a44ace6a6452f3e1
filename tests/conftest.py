"""Shared fixtures: paths to the worked example, the official catalogs and the small test catalog.

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
absence is a failure (:func:`require_or_skip`). Skipped tests are marked at
collection, so that the summary says why in one line per test file.

Every catalog-dependent code path also runs without the official files,
against the small catalog the suite builds itself (:mod:`small_catalog`,
fixtures :func:`small_catalog` and :func:`small_assessment`).
"""

from __future__ import annotations

import os
import shutil
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
def chromium() -> str | None:
    """The Chromium binary on PATH (``chromium`` or ``chromium-browser``), ``None`` if there is none."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


#: Why tests are skipped when a prerequisite is missing (the same text as the fixtures give).
def _missing_catalogs_reason() -> str:
    origin = "from GRUNDSCHUTZ_TEST_CATALOGS" if os.environ.get("GRUNDSCHUTZ_TEST_CATALOGS") else \
        "../shared/catalogs next to the repository"
    return (f"official BSI catalog files not found: {SHARED_CATALOGS} ({origin}); set GRUNDSCHUTZ_TEST_CATALOGS "
            f"to the folder or provide ../shared/catalogs ({REPO.parent / 'shared' / 'catalogs'})")


_MISSING_CHROMIUM = ("Chromium fehlt ('chromium' nicht auf PATH): die Browser-Tests des Berichts brauchen das "
                     "Debian-Paket 'chromium' (apt-get update && apt-get install -y chromium).")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say at the start which prerequisites are there and what runs without them."""
    catalogs = "found" if SHARED_CATALOGS.is_dir() else "missing (their tests are skipped; the small test catalog runs)"
    return [f"official BSI catalogs: {SHARED_CATALOGS}: {catalogs}",
            f"chromium: {chromium() or 'missing (the browser tests of the report are skipped)'}"
            + ("; CI=true: missing prerequisites fail" if on_ci() else "")]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that need a missing prerequisite as skipped (not under ``CI=true``: there they fail)."""
    if on_ci():
        return
    catalogs, browser = SHARED_CATALOGS.is_dir(), chromium() is not None
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "shared_catalogs" in names and not catalogs:
            item.add_marker(pytest.mark.skip(reason=_missing_catalogs_reason()))
        elif "browser" in names and not browser:
            item.add_marker(pytest.mark.skip(reason=_MISSING_CHROMIUM))


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
        require_or_skip(_missing_catalogs_reason())
    return SHARED_CATALOGS


@pytest.fixture(scope="session")
def haan() -> Path:
    """The worked example assessment of Stadt Haan."""
    return HAAN


@pytest.fixture(autouse=True, scope="session")
def _no_terminal_width():
    """Text output is not fitted to a terminal unless a test sets ``COLUMNS`` itself
    (pytest-xdist workers inherit ``COLUMNS=80``)."""
    mp = pytest.MonkeyPatch()
    mp.delenv("COLUMNS", raising=False)
    mp.delenv("LINES", raising=False)
    yield
    mp.undo()


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


@pytest.fixture(scope="session")
def small_catalog(tmp_path_factory) -> Path:
    """The small catalog in the official formats that the suite builds itself (:mod:`small_catalog`).

    A catalog directory (the relative paths of ``catalogs/sources.yaml``) with
    ``sources-test.yaml`` pinning its SHA-256 sums. Built once per test run
    (shared by the xdist workers under a file lock).
    """
    from filelock import FileLock
    from small_catalog import SOURCES_FILE, build_small_catalog

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    root = tmp_path_factory.getbasetemp().parent if worker else tmp_path_factory.mktemp("shared")
    folder = root / "small-catalog"
    with FileLock(str(root / "small-catalog.lock")):
        if not (folder / SOURCES_FILE).is_file():
            building = root / "small-catalog.building"
            shutil.rmtree(building, ignore_errors=True)
            build_small_catalog(building)
            building.rename(folder)
    return folder


@pytest.fixture()
def small_assessment(tmp_path: Path) -> Path:
    """A writable small assessment for :func:`small_catalog`: ``tests/data/small`` plus
    ``modelling.csv``, ``check.csv``, ``risks.csv`` and ``scenarios/homeoffice.yaml``."""
    from small_catalog import write_small_assessment

    return write_small_assessment(tmp_path / "klein", SMALL)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Run Chromium headless with a fresh profile; returns ``run(url, *extra_flags) -> stdout``.

    Chromium runs the page's script; ``--dump-dom`` gives the DOM afterwards and
    ``--screenshot`` a picture. Without Chromium: skipped with the reason, under
    ``CI=true`` a failure.
    """
    import subprocess

    binary = chromium()
    if binary is None:
        require_or_skip(_MISSING_CHROMIUM)

    def run(url: str, *extra: str) -> str:
        profile = tmp_path_factory.mktemp("chromium-profile")
        command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url]
        done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
        return done.stdout

    return run
