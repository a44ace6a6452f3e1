"""Reading many assessments for the portfolio of a provider, in worker processes.

:func:`find_assessments` finds the assessment folders under the given paths;
:func:`read_summaries` reads and propagates each in a
:class:`~concurrent.futures.ProcessPoolExecutor` and returns only its
:class:`~grundschutz.method.portfolio.ClientSummary` (the references to
provider objects and their needs), so the memory of the main process is the
summaries, and a worker's is one assessment at a time. A folder that cannot be
read becomes a summary with its problems: listed, not counted, never fatal.
:func:`read_portfolio` puts it together with the provider's own assessment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from grundschutz.io.folder import WORKBOOK_FILE, read_assessment
from grundschutz.io.settings import SETTINGS_FILE
from grundschutz.method.portfolio import ClientSummary, Portfolio, compute_portfolio, summarise_client
from grundschutz.method.propagation import propagate
from grundschutz.model.errors import AssessmentError, GrundschutzError, Problem

#: A folder holding one of these files is an assessment folder (a broken one, if the rest is missing).
MARKERS = (SETTINGS_FILE, WORKBOOK_FILE, "objects.csv", "needs.csv", "dependencies.csv")
#: Folders never searched for assessments.
SKIPPED = ("scenarios", "__pycache__", "node_modules")


def is_assessment(path: Path) -> bool:
    """Whether ``path`` is an assessment: a workbook, or a folder with one of :data:`MARKERS`."""
    if path.is_file():
        return path.suffix.lower() == ".xlsx"
    return path.is_dir() and any((path / marker).is_file() for marker in MARKERS)


def find_assessments(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The assessments at or below ``paths``, in path order.

    A path that is an assessment is taken as it is; any other folder is
    searched: every subfolder that is an assessment is taken (and not searched
    further), the others are searched in turn; hidden folders (``.git``) and
    ``scenarios`` are skipped. A path that does not exist is an error.
    """
    found: list[Path] = []
    missing = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            missing.append(str(path))
        elif is_assessment(path):
            found.append(path)
        else:
            found.extend(_search(path))
    if missing:
        raise GrundschutzError("Ordner nicht gefunden: " + ", ".join(missing))
    return sorted(dict.fromkeys(found), key=lambda p: str(p))


def _search(folder: Path) -> list[Path]:
    found = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if not entry.is_dir() or entry.name.startswith(".") or entry.name in SKIPPED:
                continue
            path = Path(entry.path)
            if is_assessment(path):
                found.append(path)
            else:
                stack.append(path)
    return found


def summarise_folder(path: str) -> ClientSummary:
    """Read and propagate one assessment and keep only its summary (runs in a worker process).

    An assessment with errors gives a summary with its problems.
    """
    folder = Path(path)
    key = folder.stem if folder.is_file() else folder.name
    try:
        assessment = read_assessment(folder)
    except AssessmentError as exc:
        return ClientSummary(path, key, key, problems=tuple(exc.problems))
    except (GrundschutzError, OSError) as exc:
        return ClientSummary(path, key, key, problems=(Problem(folder.name, None, None, None, str(exc)),))
    return summarise_client(propagate(assessment), path, key)


def default_workers() -> int:
    """The number of worker processes: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def read_summaries(folders: Sequence[str | os.PathLike[str]], workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> list[ClientSummary]:
    """The :class:`ClientSummary` of every folder, in the order given.

    ``workers`` processes (default: :func:`default_workers`); with 1 (or one
    folder) everything runs in this process. ``progress(done, total)`` is
    called after each folder.
    """
    paths = [str(f) for f in folders]
    count = min(workers or default_workers(), len(paths))
    if count <= 1:
        return [_reported(summarise_folder(p), i, len(paths), progress) for i, p in enumerate(paths, 1)]
    chunksize = max(1, min(16, len(paths) // (count * 8)))
    with ProcessPoolExecutor(max_workers=count) as pool:
        return [_reported(s, i, len(paths), progress)
                for i, s in enumerate(pool.map(summarise_folder, paths, chunksize=chunksize), 1)]


def _reported(summary: ClientSummary, done: int, total: int, progress) -> ClientSummary:
    if progress is not None:
        progress(done, total)
    return summary


def read_portfolio(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
                   provider: str | os.PathLike[str] | None = None, *, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> Portfolio:
    """Read every assessment at or below ``paths`` and compute the portfolio of ``provider``.

    ``provider`` is the provider's assessment folder (the KRZ); without it,
    the one assessment found whose ``assessment.yaml`` has ``portfolio``.
    The provider's own assessment must be valid (:class:`AssessmentError`
    otherwise); any other folder with errors is listed in
    :attr:`Portfolio.excluded`.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    folders = find_assessments(paths)
    provider_path = Path(provider) if provider is not None else None
    if provider_path is not None and not provider_path.exists():
        raise GrundschutzError(f"Ordner des Anbieters nicht gefunden: {provider_path}")
    if not folders:
        raise GrundschutzError("Keine Bewertungsordner gefunden unter: " + ", ".join(str(p) for p in paths))
    summaries = read_summaries(folders, workers, progress)
    if provider_path is None:
        provider_path = _detect_provider(summaries)
    assessment = read_assessment(provider_path)
    setting = assessment.settings.portfolio
    key = setting.id if setting is not None else (provider_path.stem if provider_path.is_file()
                                                   else provider_path.resolve().name)
    same = {str(provider_path), str(provider_path.resolve())}
    clients = [s for s in summaries if s.source not in same and str(Path(s.source).resolve()) not in same]
    return compute_portfolio(assessment, clients, provider_id=key, provider_source=str(provider_path))


def _detect_provider(summaries: Sequence[ClientSummary]) -> Path:
    providers = [s for s in summaries if s.portfolio is not None]
    if len(providers) == 1:
        return Path(providers[0].source)
    if providers:
        names = ", ".join(s.source for s in providers)
        raise GrundschutzError(f"Mehrere Anbieter gefunden ({names}): bitte einen mit --provider angeben")
    broken = sum(1 for s in summaries if not s.ok)
    hint = f"; {broken} Ordner mit Fehlern, der Anbieter ist vielleicht darunter" if broken else ""
    raise GrundschutzError("Kein Anbieter gefunden: keine der Bewertungen hat 'portfolio:' in assessment.yaml"
                           f"{hint}. Den Ordner des Anbieters mit --provider angeben.")
