"""Installing the official catalog files: from local files or by download.

- :func:`install_catalogs` copies the files from a folder or a list of files,
  :func:`download_catalogs` fetches them from their official addresses; both
  check the SHA-256 of every file against ``sources.yaml`` *before* anything
  is written (:class:`ChecksumError` lists every :class:`ChecksumMismatch`)
  and report what they did in an :class:`InstallReport`;
- every file is written to a temporary file next to its target first and
  moved into place (``os.replace``) only when all files are ready;
- size, modification time and SHA-256 of every installed file are recorded
  (:func:`~grundschutz.catalog.integrity.record_installed`), so that every
  load can check that the file is still the one installed.

All user-facing messages are German; every user-caused problem raises
:class:`~grundschutz.model.errors.CatalogError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from grundschutz.catalog.integrity import ChecksumMismatch, record_installed, stage
from grundschutz.catalog.sources import (
    _ALLOWED_SCHEMES,
    _CHUNK,
    Source,
    _has_hash,
    _select,
    file_sha256,
)
from grundschutz.model.errors import CatalogError, os_error_reason, os_read_reason

_USER_AGENT = "grundschutz (BSI IT-Grundschutz toolkit; catalog download)"
_SKIP_DIRS = {".cache", ".git", "__pycache__"}


# --------------------------------------------------------------------------- checksums


class ChecksumError(CatalogError):
    """One or more files are not the official ones; nothing was written.

    ``mismatches`` lists them with expected and actual SHA-256.
    """

    def __init__(
        self, mismatches: Sequence[ChecksumMismatch], action: str = "installiert", extra: str = ""
    ):
        self.mismatches = tuple(mismatches)
        lines = [f"SHA-256-Prüfung fehlgeschlagen, nichts wurde {action}:"]
        lines.extend(str(m) for m in self.mismatches)
        lines.append(
            "Das ist nicht die offizielle Datei (beschädigt, verändert oder eine andere Fassung). "
            "Mit --force wird sie trotzdem übernommen und als „ungeprüft“ gemeldet."
        )
        if extra:
            lines.append(extra)
        super().__init__("\n".join(lines))


# --------------------------------------------------------------------------- install


@dataclass(frozen=True)
class InstallReport:
    """What :func:`install_catalogs` or :func:`download_catalogs` did, by source key.

    - ``installed``: written to the catalog directory (verified or not);
    - ``unverified``: the subset of ``installed`` whose SHA-256 did not match
      (only with ``force=True``);
    - ``skipped``: already present with identical content, not written again;
    - ``missing``: not found in the source (and not already installed);
    - ``unknown``: given files that match no official file (not installed).
    """

    destination: Path
    installed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    def summary(self) -> str:
        """A German multi-line summary for the user."""
        lines = [f"Katalogverzeichnis: {self.destination}"]
        labels = (
            ("installiert", self.installed),
            ("davon ungeprüft (SHA-256 abweichend)", self.unverified),
            ("unverändert (bereits vorhanden)", self.skipped),
            ("fehlt", self.missing),
            ("unbekannt, nicht installiert", self.unknown),
        )
        for label, keys in labels:
            if keys:
                lines.append(f"{label} ({len(keys)}): {', '.join(keys)}")
        return "\n".join(lines)


@dataclass
class _Staged:
    key: str
    target: Path
    temp: Path
    verified: bool
    sha256: str = ""


def install_catalogs(
    src: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    dest: str | os.PathLike[str],
    force: bool = False,
    *,
    sources: Mapping[str, Source] | None = None,
) -> InstallReport:
    """Copy the official catalog files from ``src`` into the catalog directory ``dest``.

    ``src`` is a folder or a list of files (a single file is also accepted).
    In a folder, each official file is looked for at its relative path, else
    by its file name anywhere below the folder. A given file is matched by
    its file name, else by its SHA-256.

    Every file is checked against the SHA-256 in ``sources.yaml`` *before*
    anything is written. If a check fails, :class:`ChecksumError` names each
    file with expected and actual hash and nothing is written, unless
    ``force=True``: then the file is installed and reported as unverified.
    Given files that match no official file are refused the same way (with
    ``force`` they are only reported). A source that holds none of the
    official files is an error. Files are written atomically; what was
    installed is recorded (:mod:`~grundschutz.catalog.integrity`).
    """
    catalog = _select(sources, None)
    destination = Path(dest)
    candidates, unknown = _find_candidates(src, catalog)
    if not candidates and (force or not unknown):
        raise CatalogError(_nothing_found(src, unknown, catalog))

    skipped: list[str] = []
    present: dict[str, str] = {}  # already installed with this SHA-256: recorded again
    missing: list[str] = []
    mismatches: list[ChecksumMismatch] = []
    plan: list[tuple[str, Path, str]] = []
    for key, source in catalog.items():
        target = source.location(destination)
        found = candidates.get(key)
        if found is None:
            if _has_hash(target, source.sha256, source.size):
                skipped.append(key)
                present[key] = source.sha256
            else:
                missing.append(key)
            continue
        path, actual = found
        verified = actual == source.sha256
        if not verified:
            mismatches.append(
                ChecksumMismatch(key, str(path), source.sha256, actual, source.size, path.stat().st_size)
            )
        if _has_hash(target, actual):
            if verified or force:
                skipped.append(key)
                present[key] = actual
            continue
        plan.append((key, path, actual))

    if (mismatches or unknown) and not force:
        if mismatches:
            raise ChecksumError(mismatches, extra=_unknown_message(unknown) if unknown else "")
        raise CatalogError(_unknown_message(unknown) + "\nNichts wurde installiert.")

    staged: list[_Staged] = []
    try:
        for key, path, checked in plan:
            target = catalog[key].location(destination)
            temp, copied = stage(target, _file_chunks(path))
            staged.append(_Staged(key, target, temp, checked == catalog[key].sha256, copied))
            if copied != checked:
                raise CatalogError(
                    f"{path} hat sich während der Installation geändert; nichts wurde installiert."
                )
        _commit(staged, destination, present, catalog)
    finally:
        _discard(staged)
    return InstallReport(
        destination=destination,
        installed=tuple(s.key for s in staged),
        skipped=tuple(skipped),
        missing=tuple(missing),
        unverified=tuple(s.key for s in staged if not s.verified),
        unknown=tuple(str(p) for p in unknown),
    )


def _nothing_found(src: object, unknown: Sequence[Path], catalog: Mapping[str, Source]) -> str:
    """The error for a source that holds none of the official files."""
    if unknown:
        return _unknown_message(unknown) + "\nNichts wurde installiert."
    where = f"In {src}" if isinstance(src, (str, os.PathLike)) else "Unter den angegebenen Dateien"
    names = ", ".join(sorted({source.name for source in catalog.values()}))
    return (f"{where} ist keine der Katalogdateien aus sources.yaml (gesucht nach Pfad und Dateiname: "
            f"{names}); nichts wurde installiert.")


def _unknown_message(unknown: Sequence[Path]) -> str:
    lines = ["Keine offizielle Katalogdatei (weder Dateiname noch SHA-256 passen zu sources.yaml):"]
    lines.extend(f"  {path}" for path in unknown)
    return "\n".join(lines)


def _find_candidates(
    src: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], catalog: Mapping[str, Source]
) -> tuple[dict[str, tuple[Path, str]], list[Path]]:
    """Map source key -> (file, its SHA-256); also return given files that match nothing."""
    if isinstance(src, (str, os.PathLike)):
        root = Path(src)
        if root.is_dir():
            return _find_in_folder(root, catalog), []
        files = [root]
    else:
        files = [Path(p) for p in src]
    for path in files:
        if not path.is_file():
            raise CatalogError(f"Quelle nicht gefunden: {path} (Ordner oder Katalogdatei erwartet)")
    by_name: dict[str, list[str]] = {}
    by_hash: dict[str, str] = {}
    for key, source in catalog.items():
        by_name.setdefault(source.name, []).append(key)
        by_hash[source.sha256] = key
    result: dict[str, tuple[Path, str]] = {}
    unknown: list[Path] = []
    for path in files:
        actual = file_sha256(path)
        keys = by_name.get(path.name) or ([by_hash[actual]] if actual in by_hash else [])
        if not keys:
            unknown.append(path)
            continue
        exact = [k for k in keys if catalog[k].sha256 == actual]
        key = exact[0] if exact else keys[0]
        previous = result.get(key)
        if previous is None or (actual == catalog[key].sha256 and previous[1] != actual):
            result[key] = (path, actual)
    return result, unknown


def _find_in_folder(root: Path, catalog: Mapping[str, Source]) -> dict[str, tuple[Path, str]]:
    result: dict[str, tuple[Path, str]] = {}
    index: dict[str, list[Path]] | None = None
    for key, source in catalog.items():
        direct = source.location(root)
        if direct.is_file():
            result[key] = (direct, file_sha256(direct))
            continue
        if index is None:
            index = _index_by_name(root)
        found = sorted(index.get(source.name, ()))
        if not found:
            continue
        hashed = [(path, file_sha256(path)) for path in found]
        exact = [item for item in hashed if item[1] == source.sha256]
        result[key] = exact[0] if exact else hashed[0]
    return result


def _index_by_name(root: Path) -> dict[str, list[Path]]:
    index: dict[str, list[Path]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in names:
            index.setdefault(name, []).append(Path(folder) / name)
    return index


def _file_chunks(path: Path) -> Iterator[bytes]:
    """Yield the content of a local file in chunks (CatalogError if unreadable)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise CatalogError(f"Datei nicht lesbar: {path} ({os_read_reason(exc)})") from exc
    with fh:
        yield from iter(lambda: fh.read(_CHUNK), b"")


def _commit(staged: Sequence[_Staged], destination: Path, present: Mapping[str, str],
            sources: Mapping[str, Source]) -> None:
    """Move the staged files into place and record them with the ``present`` ones (key -> SHA-256)."""
    done: dict[str, str] = {}
    try:
        for item in staged:
            try:
                os.replace(item.temp, item.target)
            except OSError as exc:
                raise CatalogError(
                    f"Katalogdatei nicht geschrieben: {item.target} ({os_error_reason(exc)})"
                ) from None
            done[item.key] = item.sha256
    finally:
        record_installed(destination, {**present, **done}, sources)


def _discard(staged: Sequence[_Staged]) -> None:
    for item in staged:
        item.temp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- download


def download_catalogs(
    dest: str | os.PathLike[str],
    urls: str | Mapping[str, str | Sequence[str]] | None = None,
    force: bool = False,
    opener: Any = None,
    timeout: float = 60.0,
    *,
    keys: Iterable[str] | None = None,
    sources: Mapping[str, Source] | None = None,
) -> InstallReport:
    """Download the official catalog files into the catalog directory ``dest``.

    ``urls`` replaces the official addresses of ``sources.yaml``: a string is
    a base URL under which every file is fetched at its relative path
    (``<base>/<path>``); a mapping gives per source key one URL or a list of
    URLs (keys not in it keep their official addresses). ``keys`` restricts
    the download to these sources (default: all). ``opener`` is an object with
    ``open(request, timeout=...)`` such as :func:`urllib.request.build_opener`
    returns (default: urllib with the environment's proxy settings).

    Files already present with the right SHA-256 are skipped without network
    access. For the others the addresses are tried in order until one delivers
    the pinned SHA-256. Everything is downloaded to temporary files first and
    moved into place only if all succeeded (atomically, ``os.replace``).
    Network errors raise :class:`CatalogError` naming the URL; a wrong
    SHA-256 raises :class:`ChecksumError` unless ``force=True`` (then the last
    download is installed and reported as unverified).
    """
    import urllib.request

    catalog = _select(sources, keys)
    destination = Path(dest)
    if opener is None:
        opener = urllib.request.build_opener()
    skipped: list[str] = []
    staged: list[_Staged] = []
    failures: list[str] = []
    mismatches: list[ChecksumMismatch] = []
    try:
        for key, source in catalog.items():
            target = source.location(destination)
            if _has_hash(target, source.sha256, source.size):
                skipped.append(key)
                continue
            addresses = _addresses(source, urls)
            if not addresses:
                failures.append(f"  {source.path} ({key}): keine Download-Adresse bekannt")
                continue
            fallback: _Staged | None = None
            done = False
            errors: list[str] = []
            for url in addresses:
                try:
                    temp, actual, size = _fetch(opener, url, target, source, timeout)
                except CatalogError as exc:
                    errors.append(f"  {exc}")
                    continue
                if actual == source.sha256:
                    staged.append(_Staged(key, target, temp, True, actual))
                    if fallback is not None:
                        fallback.temp.unlink(missing_ok=True)
                    done = True
                    break
                mismatches.append(ChecksumMismatch(key, url, source.sha256, actual, source.size, size))
                if fallback is not None:
                    fallback.temp.unlink(missing_ok=True)
                fallback = _Staged(key, target, temp, False, actual)
            if done:
                mismatches = [m for m in mismatches if m.key != key]
                continue
            if fallback is not None:
                staged.append(fallback)  # committed only with force
            else:
                failures.extend(errors)
        if failures:
            raise CatalogError(
                "Download fehlgeschlagen, nichts wurde installiert:\n" + "\n".join(failures)
            )
        if mismatches and not force:
            raise ChecksumError(mismatches, action="installiert (Download)")
        _commit(staged, destination, {key: catalog[key].sha256 for key in skipped}, catalog)
    finally:
        _discard(staged)
    return InstallReport(
        destination=destination,
        installed=tuple(s.key for s in staged),
        skipped=tuple(skipped),
        unverified=tuple(s.key for s in staged if not s.verified),
    )


def _addresses(source: Source, urls: str | Mapping[str, str | Sequence[str]] | None) -> tuple[str, ...]:
    if urls is None:
        return source.urls
    if isinstance(urls, str):
        return (urls.rstrip("/") + "/" + quote(source.path, safe="/"),)
    given = urls.get(source.key)
    if given is None:
        return source.urls
    return (given,) if isinstance(given, str) else tuple(given)


def _fetch(opener: Any, url: str, target: Path, source: Source, timeout: float) -> tuple[Path, str, int]:
    """Download ``url`` to a temporary file next to ``target``; return (temp, sha256, size)."""
    import urllib.error
    import urllib.request

    if urlsplit(url).scheme not in _ALLOWED_SCHEMES:
        raise CatalogError(f"{url}: nur http, https und file werden unterstützt")
    limit = max(4 * source.size, source.size + (16 << 20))
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    size = 0

    def chunks(response: Any) -> Iterator[bytes]:
        nonlocal size
        while True:
            chunk = response.read(_CHUNK)
            if not chunk:
                return
            size += len(chunk)
            if size > limit:
                raise CatalogError(f"{url}: Download größer als {limit} Bytes, abgebrochen")
            yield chunk

    try:
        with opener.open(request, timeout=timeout) as response:
            status = getattr(response, "status", None)
            if status is not None and not 200 <= status < 300:
                raise CatalogError(f"{url}: HTTP {status}")
            temp, actual = stage(target, chunks(response))
    except urllib.error.HTTPError as exc:
        raise CatalogError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise CatalogError(f"{url}: nicht erreichbar ({exc.reason})") from exc
    except (OSError, ValueError) as exc:  # timeouts, connection resets, bad URLs
        raise CatalogError(f"{url}: Download fehlgeschlagen ({exc})") from exc
    return temp, actual, size
