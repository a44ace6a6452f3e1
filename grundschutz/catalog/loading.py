"""Loading the installed catalogs, with a cache of the parsed files.

:func:`load_catalog` returns a :class:`Catalog` (the Kompendium with the
Kreuzreferenztabellen applied, Grundschutz++ and the mapping on demand) and
keeps a pickle of every parsed file in a cache, so that a warm load takes
milliseconds instead of seconds.

The cache holds pickles. Only cache files owned by the current user and not
writable by others are read (POSIX); a stale, foreign or corrupt cache file is
ignored and rebuilt. A cache entry is keyed by the source files' stats, the
toolkit and Python version and the code of the parser modules and of this
module (:func:`_code_fingerprint`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import grundschutz.catalog._common as _common
import grundschutz.catalog.gspp as _gspp
import grundschutz.catalog.integrity as _integrity
import grundschutz.catalog.kompendium as _kompendium
import grundschutz.catalog.krt as _krt
import grundschutz.catalog.mapping as _mapping
import grundschutz.model.ids as _ids
from grundschutz.catalog.gspp import OscalCatalog, OscalProfile
from grundschutz.catalog.kompendium import Kompendium
from grundschutz.catalog.krt import CrossReference
from grundschutz.catalog.mapping import MappingCollection
from grundschutz.catalog.sources import (  # noqa: F401 - INSTALL_HINT is public here too
    DEFAULT_EDITION,
    INSTALL_HINT,
    Source,
    _select,
    default_cache_dir,
    editions,
    official_sources,
)
from grundschutz.model.errors import CatalogError
from grundschutz.model.progress import Progress, report

#: Environment variable naming the folder for the parsed cache (overrides ``DIR/.cache``).
CACHE_ENV_VAR = "GRUNDSCHUTZ_CACHE"
#: Grundschutz++ catalogs searched by :func:`~grundschutz.catalog.search.search_catalog`,
#: in this order (a control id found in an earlier catalog hides the same id in a later one).
GSPP_SEARCH_ORDER: tuple[str, ...] = (
    "gspp-kernel",
    "gspp-methodik",
    "gspp-risikomanagement",
    "gspp-user-catalog",
)

_CACHE_FORMAT = 1
_CACHE_MAGIC = "grundschutz-catalog-cache"


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
    """Hash of the toolkit version and the code that builds the cached objects.

    Covered are the parser modules (``kompendium``, ``krt``, ``gspp``,
    ``mapping``), their shared helpers (``_common``, :mod:`grundschutz.model.ids`), the integrity check
    (``integrity``: a cache entry is written only after it) and this module (the cache
    format and what :func:`load_catalog` builds): a change to any of them
    invalidates the cache.
    """
    import grundschutz

    digest = hashlib.sha256()
    digest.update(str(getattr(grundschutz, "__version__", "")).encode())
    digest.update(f"{sys.version_info[0]}.{sys.version_info[1]}".encode())
    for module in (_kompendium, _krt, _gspp, _mapping, _common, _ids, _integrity, sys.modules[__name__]):
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(repr(module).encode())
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
    kompendium: Kompendium = field(repr=False)
    cross_reference: CrossReference = field(repr=False)
    from_cache: bool = False
    cache_file: Path | None = None
    _cache: _Cache | None = field(default=None, repr=False, compare=False)
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def has(self, key: str) -> bool:
        """Whether the official file ``key`` (see ``sources.yaml``) is installed."""
        source = official_sources().get(key)
        return source is not None and source.location(self.directory).is_file()

    def path(self, key: str) -> Path:
        """Return the path of the installed file ``key``, checked to be the one installed.

        :class:`CatalogError` if not installed;
        :class:`~grundschutz.catalog.integrity.ChangedCatalogError` if changed
        since (:func:`~grundschutz.catalog.integrity.verify_installed`).
        """
        location = self._installed(key)
        _integrity.verify_installed(self.directory, _select(None, [key]).values())
        return location

    def _installed(self, key: str) -> Path:
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

    def gspp(self, source: str = "auto"):
        """The Grundschutz++ controls in force and the Zielobjekt-Kategorien
        (:func:`~grundschutz.catalog.gspp_controls.gspp_catalog`), built once."""
        from grundschutz.catalog.gspp_controls import gspp_catalog

        return self._memo(("gspp", source), lambda: gspp_catalog(self, source))

    def modelling_rules(self):
        """The toolkit's modelling rules (``modelling.yaml``), checked against the Kompendium, read once."""
        from grundschutz.catalog.modelling_rules import read_modelling_rules

        return self._memo("modelling-rules", lambda: read_modelling_rules(kompendium=self.kompendium))

    def gspp_rules(self, source: str = "auto"):
        """The toolkit's Grundschutz++ rules (``gspp_modelling.yaml``), checked against :meth:`gspp`, read once."""
        from grundschutz.catalog.rules import read_gspp_rules

        return self._memo(("gspp-rules", source), lambda: read_gspp_rules(catalog=self.gspp(source)))

    def _memo(self, key: object, build: Callable[[], Any]) -> Any:
        if key not in self._loaded:
            self._loaded[key] = build()
        return self._loaded[key]

    def _lazy(self, key: str, expected_format: str, reader: Callable[[Path], Any], cls: type) -> Any:
        source = _select(None, [key])[key]
        if source.format != expected_format:
            raise CatalogError(f"{key!r} ist keine Datei vom Typ {expected_format}")
        if key in self._loaded:
            return self._loaded[key]
        path = self._installed(key)
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
    progress: Progress | None = None,
) -> Catalog:
    """Load the Kompendium of ``edition`` with its Kreuzreferenztabellen from ``directory``.

    The parsed result is kept as a pickle in ``cache_dir`` if given, else in
    ``$GRUNDSCHUTZ_CACHE`` if set, else in ``directory/.cache/`` (or, if that
    is not writable, in :func:`default_cache_dir`). It is keyed by size, mtime
    and inode of the source files, the toolkit version and the parser code.
    A stale or corrupt cache is rebuilt silently; ``cache=False`` neither
    reads nor writes it. Before a file is parsed, it is checked to be the one
    ``catalog install`` recorded, else the official one
    (:mod:`~grundschutz.catalog.integrity`): a changed file raises
    :class:`~grundschutz.catalog.integrity.ChangedCatalogError`. ``progress``
    (:data:`~grundschutz.model.progress.Progress`) hears of each part of a
    parse that the cache cannot spare.

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
        report(progress, "Kompendium lesen", 0, 3)
        kompendium = _kompendium.read_kompendium(kompendium_source.location(folder))
        report(progress, "Kreuzreferenztabellen lesen", 1, 3)
        krt = _krt.read_krt(krt_source.location(folder))
        report(progress, "zusammenführen", 2, 3)
        combined = _krt.apply_cross_reference(kompendium, krt), krt
        report(progress, "fertig", 3, 3)
        return combined

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
    """Return (value, from_cache): the cached value if its key matches, else ``build()``.

    A cache entry is written only after the files were checked
    (:func:`~grundschutz.catalog.integrity.verify_installed`) and only if
    they did not change while they were read; so a hit, keyed by size,
    modification time and inode, stands for a checked file.
    """

    def key() -> tuple | None:
        try:
            return (name, _code_fingerprint(), tuple(_file_key(directory, s) for s in sources))
        except OSError:
            return None

    before = key() if store is not None else None
    if store is not None and before is not None:
        value = store.get(name, before)
        if value is not None and valid(value):
            return value, True
    _integrity.verify_installed(directory, sources)
    value = build()
    if store is not None and before is not None and key() == before:
        store.put(name, before, value)
    return value, False


def _not_installed(directory: Path, absent: Sequence[Source]) -> str:
    if not directory.is_dir():
        return f"Katalog nicht installiert: Verzeichnis {directory} gibt es nicht. {INSTALL_HINT}"
    names = ", ".join(f"{s.path} ({s.key})" for s in absent)
    return f"Katalog nicht installiert: in {directory} fehlt {names}. {INSTALL_HINT}"
