"""The catalog directory: official sources, install, download, parsed cache and search.

The official BSI files are not part of the toolkit. They live in a *catalog
directory* at the relative paths listed in ``grundschutz/catalog/sources.yaml``
(the same layout as the reference copy ``../shared/catalogs``):

- :func:`catalog_dir` finds the directory (argument, ``$GRUNDSCHUTZ_CATALOGS``,
  the user's data directory);
- :func:`install_catalogs` copies the files from a folder or a list of files,
  :func:`download_catalogs` fetches them from their official addresses; both
  check the SHA-256 of every file against ``sources.yaml``;
- :func:`load_catalog` returns a :class:`Catalog` (the Kompendium with the
  Kreuzreferenztabellen applied, Grundschutz++ and the mapping on demand) and
  keeps a pickle of every parsed file in a cache, so that a warm load takes
  milliseconds instead of seconds;
- :func:`search_catalog` finds Bausteine, requirements, threats and
  Grundschutz++ controls by id or text.

All user-facing messages are German; every user-caused problem raises
:class:`~grundschutz.errors.CatalogError`.

The cache holds pickles. Only cache files owned by the current user and not
writable by others are read (POSIX); a stale, foreign or corrupt cache file is
ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import secrets
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Callable
from urllib.parse import quote, urlsplit

import grundschutz.catalog.gspp as _gspp
import grundschutz.catalog.kompendium as _kompendium
import grundschutz.catalog.krt as _krt
import grundschutz.catalog.mapping as _mapping
from grundschutz.catalog._common import normalise_requirement_id, normalise_space
from grundschutz.catalog.gspp import OscalCatalog, OscalProfile
from grundschutz.catalog.kompendium import Kompendium
from grundschutz.catalog.krt import CrossReference
from grundschutz.catalog.mapping import MappingCollection
from grundschutz.errors import CatalogError

#: Environment variable naming the catalog directory.
ENV_VAR = "GRUNDSCHUTZ_CATALOGS"
#: Environment variable naming the folder for the parsed cache (overrides ``DIR/.cache``).
CACHE_ENV_VAR = "GRUNDSCHUTZ_CACHE"
#: The Kompendium edition loaded by default.
DEFAULT_EDITION = "kompendium-2023"
#: Grundschutz++ catalogs searched by :func:`search_catalog`, in this order
#: (a control id found in an earlier catalog hides the same id in a later one).
GSPP_SEARCH_ORDER: tuple[str, ...] = (
    "gspp-kernel",
    "gspp-methodik",
    "gspp-risikomanagement",
    "gspp-user-catalog",
)
#: Hint appended to every "not installed" message.
INSTALL_HINT = (
    "Installieren mit `grundschutz catalog install DIR` oder `grundschutz catalog download`."
)

_CACHE_FORMAT = 1
_CACHE_MAGIC = "grundschutz-catalog-cache"
_CHUNK = 1 << 20
_USER_AGENT = "grundschutz (BSI IT-Grundschutz toolkit; catalog download)"
_ALLOWED_SCHEMES = ("http", "https", "file")
_SKIP_DIRS = {".cache", ".git", "__pycache__"}


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One official file as listed in ``sources.yaml``.

    ``path`` is the POSIX path relative to a catalog directory; ``urls`` are
    the download addresses, tried in order. ``publisher_url`` is where the
    publisher offers the file when its bytes differ from the pinned copy
    (informative only, never downloaded).
    """

    key: str
    path: str
    sha256: str
    size: int
    description: str
    format: str
    urls: tuple[str, ...] = ()
    required: bool = False
    origin: str = ""
    license: str = ""
    publisher_url: str | None = None

    @property
    def name(self) -> str:
        """The file name (last path component)."""
        return PurePosixPath(self.path).name

    def location(self, directory: str | os.PathLike[str]) -> Path:
        """The path of this file inside the catalog directory ``directory``."""
        return Path(directory).joinpath(*PurePosixPath(self.path).parts)


def official_sources() -> Mapping[str, Source]:
    """Return the official files from the packaged ``sources.yaml``, by key (read-only)."""
    return _packaged()[0]


def editions() -> Mapping[str, Mapping[str, str]]:
    """Return the known Kompendium editions: edition -> role (``kompendium``, ``cross_reference``) -> source key."""
    return _packaged()[1]


def parse_sources(text: str, origin: str = "sources.yaml") -> tuple[dict[str, Source], dict[str, dict[str, str]]]:
    """Parse and validate the text of a ``sources.yaml``; return (sources, editions).

    Raises :class:`CatalogError` naming ``origin`` for a malformed file.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin}: kein gültiges YAML ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("sources"), dict):
        raise CatalogError(f"{origin}: Abschnitt 'sources' fehlt")
    sources: dict[str, Source] = {}
    paths: set[str] = set()
    for key, entry in document["sources"].items():
        where = f"{origin}, Eintrag {key!r}"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where}: Zuordnung erwartet")
        if not isinstance(entry.get("sha256"), str):  # YAML reads an all-digit hash as a number
            raise CatalogError(f"{where}: 'sha256' als Text angeben (in Anführungszeichen)")
        try:
            source = Source(
                key=str(key),
                path=str(entry["path"]),
                sha256=entry["sha256"].lower(),
                size=int(entry["size"]),
                description=normalise_space(str(entry.get("description", ""))),
                format=str(entry.get("format", "")),
                urls=tuple(str(url) for url in entry.get("urls") or ()),
                required=bool(entry.get("required", False)),
                origin=str(entry.get("origin", "")),
                license=str(entry.get("license", "")),
                publisher_url=entry.get("publisher_url"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CatalogError(f"{where}: Feld fehlt oder ungültig ({exc!r})") from exc
        relative = PurePosixPath(source.path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts or "\\" in source.path:
            raise CatalogError(f"{where}: Pfad {source.path!r} muss relativ sein und darf '..' nicht enthalten")
        if len(source.sha256) != 64 or any(c not in "0123456789abcdef" for c in source.sha256):
            raise CatalogError(f"{where}: {source.sha256!r} ist keine SHA-256-Prüfsumme")
        if source.path in paths:
            raise CatalogError(f"{where}: Pfad {source.path!r} kommt doppelt vor")
        for url in source.urls:
            if urlsplit(url).scheme not in _ALLOWED_SCHEMES:
                raise CatalogError(f"{where}: Adresse {url!r} wird nicht unterstützt")
        paths.add(source.path)
        sources[source.key] = source
    editions_: dict[str, dict[str, str]] = {}
    for edition, roles in (document.get("editions") or {}).items():
        if not isinstance(roles, dict) or set(roles) != {"kompendium", "cross_reference"}:
            raise CatalogError(f"{origin}, Edition {edition!r}: 'kompendium' und 'cross_reference' erwartet")
        for role, key in roles.items():
            if key not in sources:
                raise CatalogError(f"{origin}, Edition {edition!r}: unbekannte Quelle {key!r}")
        editions_[str(edition)] = {str(role): str(key) for role, key in roles.items()}
    return sources, editions_


@lru_cache(maxsize=1)
def _packaged() -> tuple[Mapping[str, Source], Mapping[str, Mapping[str, str]]]:
    from importlib.resources import files

    text = files("grundschutz.catalog").joinpath("sources.yaml").read_text(encoding="utf-8")
    sources, editions_ = parse_sources(text, "grundschutz/catalog/sources.yaml")
    return (
        MappingProxyType(sources),
        MappingProxyType({e: MappingProxyType(r) for e, r in editions_.items()}),
    )


def _select(sources: Mapping[str, Source] | None, keys: Iterable[str] | None) -> dict[str, Source]:
    available = official_sources() if sources is None else sources
    if keys is None:
        return dict(available)
    chosen: dict[str, Source] = {}
    for key in keys:
        if key not in available:
            raise CatalogError(
                f"Unbekannte Katalogdatei {key!r} (bekannt: {', '.join(sorted(available))})"
            )
        chosen[key] = available[key]
    return chosen


# --------------------------------------------------------------------------- directories


def catalog_dir(explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Return the catalog directory to use (it need not exist).

    Order: ``explicit`` (the CLI option ``--catalogs DIR``), the environment
    variable ``GRUNDSCHUTZ_CATALOGS``, then ``$XDG_DATA_HOME/grundschutz/catalogs``
    or ``~/.local/share/grundschutz/catalogs``. ``env`` replaces
    :data:`os.environ` (for tests); a leading ``~`` is expanded with its ``HOME``.

    >>> catalog_dir(env={"HOME": "/home/anna"}).as_posix()
    '/home/anna/.local/share/grundschutz/catalogs'
    >>> catalog_dir(env={"GRUNDSCHUTZ_CATALOGS": "~/bsi", "HOME": "/home/anna"}).as_posix()
    '/home/anna/bsi'
    """
    environ = os.environ if env is None else env
    if explicit is not None and str(explicit) != "":
        return _expand(str(explicit), environ)
    value = environ.get(ENV_VAR, "")
    if value:
        return _expand(value, environ)
    return _xdg_dir(environ, "XDG_DATA_HOME", ".local/share") / "grundschutz" / "catalogs"


def default_cache_dir(directory: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Path:
    """Return the per-user cache folder used when ``DIR/.cache`` is not writable.

    ``$XDG_CACHE_HOME/grundschutz/catalogs/<digest of DIR>`` or
    ``~/.cache/grundschutz/catalogs/<digest of DIR>``.
    """
    environ = os.environ if env is None else env
    digest = hashlib.sha256(str(Path(directory).resolve()).encode("utf-8")).hexdigest()[:16]
    return _xdg_dir(environ, "XDG_CACHE_HOME", ".cache") / "grundschutz" / "catalogs" / digest


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME")
    return Path(home) if home else Path.home()


def _expand(value: str, environ: Mapping[str, str]) -> Path:
    if value == "~" or value.startswith(("~/", "~" + os.sep)):
        return _home(environ) / value[2:]
    return Path(value)


def _xdg_dir(environ: Mapping[str, str], variable: str, fallback: str) -> Path:
    value = environ.get(variable, "")
    if value and Path(value).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(value)
    return _home(environ) / fallback


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class ChecksumMismatch:
    """A file whose SHA-256 differs from the pinned one (``file`` is a path or URL)."""

    key: str
    file: str
    expected: str
    actual: str
    expected_size: int
    actual_size: int

    def __str__(self) -> str:
        return (
            f"  {self.file} ({self.key})\n"
            f"    erwartet: {self.expected} ({self.expected_size} Bytes)\n"
            f"    gefunden: {self.actual} ({self.actual_size} Bytes)"
        )


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


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 (hex) of a file; :class:`CatalogError` if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError as exc:
        raise CatalogError(f"Datei nicht lesbar: {path} ({exc.strerror or exc})") from exc
    return digest.hexdigest()


def _has_hash(path: Path, sha256: str, size: int | None = None) -> bool:
    """Whether ``path`` is a file with this SHA-256 (size checked first, cheaply)."""
    try:
        if not path.is_file() or (size is not None and path.stat().st_size != size):
            return False
        return file_sha256(path) == sha256
    except (OSError, CatalogError):
        return False


def check_catalogs(
    directory: str | os.PathLike[str], *, sources: Mapping[str, Source] | None = None
) -> dict[str, str]:
    """Check every official file in ``directory``: key -> ``"ok"``, ``"missing"`` or ``"mismatch"``.

    Reads and hashes all present files (about 20 MB).
    """
    result: dict[str, str] = {}
    for key, source in _select(sources, None).items():
        location = source.location(directory)
        if not location.is_file():
            result[key] = "missing"
        else:
            result[key] = "ok" if _has_hash(location, source.sha256, source.size) else "mismatch"
    return result


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
    ``force`` they are only reported). Files are written atomically.
    """
    catalog = _select(sources, None)
    destination = Path(dest)
    candidates, unknown = _find_candidates(src, catalog)

    skipped: list[str] = []
    missing: list[str] = []
    mismatches: list[ChecksumMismatch] = []
    plan: list[tuple[str, Path, bool]] = []
    for key, source in catalog.items():
        target = source.location(destination)
        found = candidates.get(key)
        if found is None:
            (skipped if _has_hash(target, source.sha256, source.size) else missing).append(key)
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
            continue
        plan.append((key, path, verified))

    if (mismatches or unknown) and not force:
        if mismatches:
            raise ChecksumError(mismatches, extra=_unknown_message(unknown) if unknown else "")
        raise CatalogError(_unknown_message(unknown) + "\nNichts wurde installiert.")

    staged: list[_Staged] = []
    try:
        for key, path, verified in plan:
            target = catalog[key].location(destination)
            temp, _ = _stage(target, _file_chunks(path))
            staged.append(_Staged(key, target, temp, verified))
        _commit(staged)
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
        raise CatalogError(f"Datei nicht lesbar: {path} ({exc.strerror or exc})") from exc
    with fh:
        yield from iter(lambda: fh.read(_CHUNK), b"")


def _stage(target: Path, chunks: Iterable[bytes]) -> tuple[Path, str]:
    """Write ``chunks`` to a temporary file next to ``target``; return it and its SHA-256."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    digest = hashlib.sha256()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "xb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise CatalogError(
            f"Katalogverzeichnis nicht beschreibbar: {target.parent} ({exc.strerror or exc})"
        ) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, digest.hexdigest()


def _commit(staged: Sequence[_Staged]) -> None:
    for item in staged:
        try:
            os.replace(item.temp, item.target)
        except OSError as exc:
            raise CatalogError(
                f"Katalogdatei nicht schreibbar: {item.target} ({exc.strerror or exc})"
            ) from exc


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
                    staged.append(_Staged(key, target, temp, True))
                    if fallback is not None:
                        fallback.temp.unlink(missing_ok=True)
                    done = True
                    break
                mismatches.append(ChecksumMismatch(key, url, source.sha256, actual, source.size, size))
                if fallback is not None:
                    fallback.temp.unlink(missing_ok=True)
                fallback = _Staged(key, target, temp, False)
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
        _commit(staged)
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
            temp, actual = _stage(target, chunks(response))
    except urllib.error.HTTPError as exc:
        raise CatalogError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise CatalogError(f"{url}: nicht erreichbar ({exc.reason})") from exc
    except (OSError, ValueError) as exc:  # timeouts, connection resets, bad URLs
        raise CatalogError(f"{url}: Download fehlgeschlagen ({exc})") from exc
    return temp, actual, size


# --------------------------------------------------------------------------- cache


class _Cache:
    """Pickle cache of parsed catalog files, keyed by file stats and code version."""

    def __init__(self, directory: Path, cache_dir: Path | None):
        self.folders = [cache_dir] if cache_dir is not None else [
            directory / ".cache",
            default_cache_dir(directory),
        ]
        self.last_file: Path | None = None

    def get(self, name: str, key: tuple) -> Any | None:
        for folder in self.folders:
            path = folder / f"{name}.pickle"
            value = _read_cache(path, key)
            if value is not None:
                self.last_file = path
                return value
        return None

    def put(self, name: str, key: tuple, value: Any) -> None:
        for folder in self.folders:
            path = folder / f"{name}.pickle"
            if _write_cache(path, key, value):
                self.last_file = path
                return


def _read_cache(path: Path, key: tuple) -> Any | None:
    try:
        with open(path, "rb") as fh:
            if os.name == "posix":
                stat = os.fstat(fh.fileno())
                if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
                    return None
            header = pickle.load(fh)
            if header != {"magic": _CACHE_MAGIC, "format": _CACHE_FORMAT, "key": key}:
                return None
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - any unreadable/corrupt cache means: rebuild
        return None


def _write_cache(path: Path, key: tuple, value: Any) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as fh:
            header = {"magic": _CACHE_MAGIC, "format": _CACHE_FORMAT, "key": key}
            pickle.dump(header, fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written is simply not used
        Path(temp).unlink(missing_ok=True)
        return False


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Hash of the toolkit version and the parser sources: a code change invalidates the cache."""
    import grundschutz

    digest = hashlib.sha256()
    digest.update(str(getattr(grundschutz, "__version__", "")).encode())
    digest.update(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for module in (_kompendium, _krt, _gspp, _mapping, sys.modules[__name__]):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(repr(module).encode())
    common = Path(_kompendium.__file__ or "").with_name("_common.py")
    if common.is_file():
        digest.update(common.read_bytes())
    return digest.hexdigest()


def _file_key(directory: Path, source: Source) -> tuple:
    stat = source.location(directory).stat()
    return (source.path, stat.st_size, stat.st_mtime_ns, stat.st_ino)


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Catalog:
    """The loaded catalogs of one catalog directory.

    - ``kompendium``: the Kompendium with the Kreuzreferenztabellen applied
      (``cia``/``threats`` of every requirement filled);
    - ``cross_reference``: the KRT itself (e.g. the threat columns per Baustein);
    - ``from_cache``: whether the Kompendium came from the parsed cache;
    - ``cache_file``: the cache file used or written (``None`` without cache).

    Grundschutz++ catalogs, the profile and the mapping are parsed (and
    cached) on first use: :meth:`oscal_catalog`, :meth:`oscal_profile`,
    :meth:`mapping`.
    """

    directory: Path
    edition: str
    kompendium: Kompendium
    cross_reference: CrossReference
    from_cache: bool = False
    cache_file: Path | None = None
    _cache: _Cache | None = field(default=None, repr=False, compare=False)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def has(self, key: str) -> bool:
        """Whether the official file ``key`` (see ``sources.yaml``) is installed."""
        source = official_sources().get(key)
        return source is not None and source.location(self.directory).is_file()

    def path(self, key: str) -> Path:
        """Return the path of the installed file ``key``; :class:`CatalogError` if not installed."""
        source = _select(None, [key])[key]
        location = source.location(self.directory)
        if not location.is_file():
            raise CatalogError(_not_installed(self.directory, [source]))
        return location

    def oscal_catalog(self, key: str = "gspp-user-catalog") -> OscalCatalog:
        """Return the Grundschutz++ OSCAL catalog ``key`` (parsed once, cached)."""
        return self._lazy(key, "oscal-catalog", _gspp.read_oscal_catalog, OscalCatalog)

    def oscal_profile(self, key: str = "gspp-profile") -> OscalProfile:
        """Return the Grundschutz++ OSCAL profile ``key`` (parsed once, cached)."""
        return self._lazy(key, "oscal-profile", _gspp.read_oscal_profile, OscalProfile)

    def mapping(self, key: str = "mapping-itgs2023-gspp") -> MappingCollection:
        """Return the mapping Kompendium 2023 -> Grundschutz++ (parsed once, cached)."""
        return self._lazy(key, "oscal-mapping", _mapping.read_mapping, MappingCollection)

    def gspp_catalogs(self, *, load: bool = True) -> dict[str, OscalCatalog]:
        """Return the Grundschutz++ catalogs of :data:`GSPP_SEARCH_ORDER`, by key.

        With ``load=True`` every installed one is loaded; with ``load=False``
        only those already loaded are returned (no file access).
        """
        if not load:
            return {k: self._loaded[k] for k in GSPP_SEARCH_ORDER if k in self._loaded}
        return {k: self.oscal_catalog(k) for k in GSPP_SEARCH_ORDER if self.has(k)}

    def _lazy(self, key: str, expected_format: str, reader: Callable[[Path], Any], cls: type) -> Any:
        source = _select(None, [key])[key]
        if source.format != expected_format:
            raise CatalogError(f"{key!r} ist keine Datei vom Typ {expected_format}")
        if key in self._loaded:
            return self._loaded[key]
        path = self.path(key)
        value, _ = _load_cached(
            self._cache, key, self.directory, [source], lambda: reader(path),
            lambda cached: isinstance(cached, cls),
        )
        self._loaded[key] = value
        return value


def load_catalog(
    directory: str | os.PathLike[str],
    *,
    edition: str = DEFAULT_EDITION,
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Catalog:
    """Load the Kompendium of ``edition`` with its Kreuzreferenztabellen from ``directory``.

    The parsed result is kept as a pickle in ``cache_dir`` if given, else in
    ``$GRUNDSCHUTZ_CACHE`` if set, else in ``directory/.cache/`` (or, if that
    is not writable, in :func:`default_cache_dir`). It is keyed by size, mtime
    and inode of the source files, the toolkit version and the parser code. A stale or corrupt cache is rebuilt silently;
    ``cache=False`` neither reads nor writes it.

    Raises :class:`CatalogError` "Katalog nicht installiert: …" with the
    install commands if a required file is missing.
    """
    folder = Path(directory)
    known = editions()
    if edition not in known:
        raise CatalogError(
            f"Unbekannte Kompendium-Edition {edition!r} (bekannt: {', '.join(sorted(known))})"
        )
    sources = official_sources()
    kompendium_source = sources[known[edition]["kompendium"]]
    krt_source = sources[known[edition]["cross_reference"]]
    absent = [s for s in (kompendium_source, krt_source) if not s.location(folder).is_file()]
    if absent:
        raise CatalogError(_not_installed(folder, absent))
    if cache_dir is None and os.environ.get(CACHE_ENV_VAR):
        cache_dir = os.environ[CACHE_ENV_VAR]
    store = _Cache(folder, Path(cache_dir) if cache_dir is not None else None) if cache else None

    def build() -> tuple[Kompendium, CrossReference]:
        kompendium = _kompendium.read_kompendium(kompendium_source.location(folder))
        krt = _krt.read_krt(krt_source.location(folder))
        return _krt.apply_cross_reference(kompendium, krt), krt

    def valid(cached: Any) -> bool:
        return (
            isinstance(cached, tuple)
            and len(cached) == 2
            and isinstance(cached[0], Kompendium)
            and isinstance(cached[1], CrossReference)
        )

    (kompendium, krt), hit = _load_cached(
        store, edition, folder, [kompendium_source, krt_source], build, valid
    )
    return Catalog(
        directory=folder,
        edition=edition,
        kompendium=kompendium,
        cross_reference=krt,
        from_cache=hit,
        cache_file=store.last_file if store else None,
        _cache=store,
    )


def _load_cached(
    store: _Cache | None,
    name: str,
    directory: Path,
    sources: Sequence[Source],
    build: Callable[[], Any],
    valid: Callable[[Any], bool],
) -> tuple[Any, bool]:
    """Return (value, from_cache): the cached value if its key matches, else ``build()``."""
    if store is None:
        return build(), False
    try:
        key = (name, _code_fingerprint(), tuple(_file_key(directory, s) for s in sources))
    except OSError:
        return build(), False
    value = store.get(name, key)
    if value is not None and valid(value):
        return value, True
    value = build()
    store.put(name, key, value)
    return value, False


def _not_installed(directory: Path, absent: Sequence[Source]) -> str:
    if not directory.is_dir():
        return f"Katalog nicht installiert: Verzeichnis {directory} gibt es nicht. {INSTALL_HINT}"
    names = ", ".join(f"{s.path} ({s.key})" for s in absent)
    return f"Katalog nicht installiert: in {directory} fehlt {names}. {INSTALL_HINT}"


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    ``kind`` is ``"baustein"``, ``"requirement"``, ``"threat"`` or
    ``"control"``; ``source`` is the key of the file it comes from;
    ``snippet`` is a short excerpt around the first match (or the start of the
    text); a higher ``score`` ranks higher.
    """

    id: str
    kind: str
    title: str
    snippet: str
    score: int
    source: str


@dataclass(frozen=True)
class _Entry:
    id: str
    kind: str
    title: str
    text: str
    source: str
    withdrawn: bool
    id_lower: str
    title_lower: str
    text_lower: str


_KIND_ORDER = {"baustein": 0, "requirement": 1, "threat": 2, "control": 3}
#: Words that need not occur for a hit (they only add to the score).
_STOPWORDS = frozenset(
    "der die das des dem den ein eine einer eines einem einen und oder mit ohne von vom für "
    "bei beim im in ins am an auf aus zu zum zur unter über nach vor als wie auch nicht".split()
)


def search_catalog(
    catalog: Catalog, text: str, limit: int | None = 20, *, gspp: bool | None = None
) -> list[SearchHit]:
    """Search ids, titles and texts case-insensitively; return the best ``limit`` hits.

    Searched are the Bausteine, requirements and elementary threats of the
    Kompendium and the Grundschutz++ controls: with ``gspp=None`` those of the
    catalogs already loaded on ``catalog``, with ``True`` of every installed
    one (loading them), with ``False`` none.

    Every word of ``text`` except common German stop words (``mit``, ``und``,
    ``für`` …) must occur (in id, title or text). Ranking: exact
    id, then id prefix (``APP.1.1`` -> its requirements), then the phrase in
    the title, all words in the title, the phrase in the text, the words
    anywhere; ties in document order, Bausteine before requirements before
    threats before controls, withdrawn requirements last.
    """
    query = normalise_space(text).lower()
    if not query:
        return []
    words = query.split(" ")
    required = [w for w in words if w not in _STOPWORDS] or words
    optional = [w for w in words if w not in required]
    id_query = normalise_requirement_id(query.upper()).lower()
    entries = list(_kompendium_entries(catalog))
    if gspp is not False:
        seen: set[str] = set()
        for key, oscal in catalog.gspp_catalogs(load=bool(gspp)).items():
            for entry in _control_entries(catalog, key, oscal):
                if entry.id not in seen:
                    seen.add(entry.id)
                    entries.append(entry)
    scored: list[tuple[tuple[int, int, int], SearchHit]] = []
    for position, entry in enumerate(entries):
        score = _score(entry, query, id_query, required, optional)
        if score <= 0:
            continue
        if entry.withdrawn:
            score -= 1
        hit = SearchHit(entry.id, entry.kind, entry.title, _snippet(entry, query, words), score, entry.source)
        scored.append(((-score, _KIND_ORDER[entry.kind], position), hit))
    scored.sort(key=lambda item: item[0])
    hits = [hit for _, hit in scored]
    return hits if limit is None else hits[: max(limit, 0)]


def _score(entry: _Entry, query: str, id_query: str, required: list[str], optional: list[str]) -> int:
    if entry.id_lower in (query, id_query):
        return 1000
    if entry.id_lower.startswith(query + ".") or entry.id_lower.startswith(id_query + "."):
        return 600 - entry.id_lower.count(".")
    title = entry.title_lower
    if title == query:
        return 400
    if query in title:
        return 320 if _at_word_start(title, query) else 300
    if all(w in title or w in entry.id_lower for w in required):
        return 200 + sum(w in title for w in optional)
    if query in entry.text_lower:
        return 100 + (10 if _at_word_start(entry.text_lower, query) else 0)
    haystack = " ".join((entry.id_lower, title, entry.text_lower))
    if all(w in haystack for w in required):
        return 50 + 2 * sum(w in title for w in required) + sum(w in haystack for w in optional)
    return 0


def _at_word_start(text: str, query: str) -> bool:
    index = text.find(query)
    return index == 0 or (index > 0 and not text[index - 1].isalnum())


def _snippet(entry: _Entry, query: str, words: list[str], width: int = 160) -> str:
    text = entry.text
    if not text:
        return ""
    lowered = entry.text_lower  # str.lower keeps the length for German text
    index = lowered.find(query)
    if index < 0:
        found = [lowered.find(w) for w in words if w in lowered]
        index = min(found) if found else 0
    if len(text) <= width:
        return text
    start = max(0, index - width // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < index else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > index else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _entry(item_id: str, kind: str, title: str, text: str, source: str, withdrawn: bool = False) -> _Entry:
    flat = normalise_space(text)
    return _Entry(item_id, kind, title, flat, source, withdrawn, item_id.lower(), title.lower(), flat.lower())


def _kompendium_entries(catalog: Catalog) -> list[_Entry]:
    index = catalog._loaded.get("_search:kompendium")
    if index is None:
        source = editions()[catalog.edition]["kompendium"]
        kompendium = catalog.kompendium
        index = []
        for baustein in kompendium.bausteine.values():
            index.append(
                _entry(baustein.id, "baustein", baustein.title, f"{baustein.description} {baustein.scope}", source)
            )
            for rid in baustein.requirement_ids:
                req = kompendium.requirements[rid]
                index.append(_entry(req.id, "requirement", req.title, req.text, source, req.withdrawn))
        for threat in kompendium.threats.values():
            index.append(_entry(threat.id, "threat", threat.title, threat.text, source))
        catalog._loaded["_search:kompendium"] = index
    return index


def _control_entries(catalog: Catalog, key: str, oscal: OscalCatalog) -> list[_Entry]:
    name = f"_search:{key}"
    index = catalog._loaded.get(name)
    if index is None:
        index = [
            _entry(c.id, "control", c.title, f"{c.statement} {c.guidance}", key)
            for c in oscal.controls.values()
        ]
        catalog._loaded[name] = index
    return index
