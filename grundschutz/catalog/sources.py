"""The official catalog files: ``sources.yaml``, the catalog directory, checksums.

The official BSI files are not part of the toolkit. They live in a *catalog
directory* at the relative paths listed in ``catalogs/sources.yaml``
(the same layout as the reference copy ``../shared/catalogs``):

- :func:`official_sources` and :func:`editions` read the packaged
  ``sources.yaml`` (:func:`parse_sources` validates such a file);
- :func:`catalog_dir` finds the directory (argument, ``$GRUNDSCHUTZ_CATALOGS``,
  the user's data directory), :func:`default_cache_dir` the per-user cache
  folder for it;
- :func:`check_catalogs` compares the installed files with the SHA-256 pinned
  in ``sources.yaml`` (:func:`file_sha256`).

All user-facing messages are German; every user-caused problem raises
:class:`~grundschutz.model.errors.CatalogError`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from urllib.parse import urlsplit

from grundschutz.catalog._common import normalise_space
from grundschutz.model.errors import CatalogError, os_read_reason
from grundschutz.model.library_errors import yaml_message

#: Hint appended to every "not installed" message.
INSTALL_HINT = (
    "Installieren mit `grundschutz catalog install DIR` oder `grundschutz catalog download`."
)

#: Environment variable naming the catalog directory.
ENV_VAR = "GRUNDSCHUTZ_CATALOGS"
#: The Kompendium edition loaded by default.
DEFAULT_EDITION = "kompendium-2023"

_CHUNK = 1 << 20
_ALLOWED_SCHEMES = ("http", "https", "file")


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
    """Return the known Kompendium editions.

    edition -> role (``kompendium``, ``cross_reference``) -> source key.
    """
    return _packaged()[1]


def parse_sources(
    text: str, origin: str = "sources.yaml"
) -> tuple[dict[str, Source], dict[str, dict[str, str]]]:
    """Parse and validate the text of a ``sources.yaml``; return (sources, editions).

    Raises :class:`CatalogError` naming ``origin`` for a malformed file.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CatalogError(f"{origin}: {yaml_message(exc)}") from exc
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
            raise CatalogError(
                f"{where}: Pfad {source.path!r} muss relativ sein und darf '..' nicht enthalten"
            )
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
            raise CatalogError(
                f"{origin}, Edition {edition!r}: 'kompendium' und 'cross_reference' erwartet"
            )
        for role, key in roles.items():
            if key not in sources:
                raise CatalogError(f"{origin}, Edition {edition!r}: unbekannte Quelle {key!r}")
        editions_[str(edition)] = {str(role): str(key) for role, key in roles.items()}
    return sources, editions_


@lru_cache(maxsize=1)
def _packaged() -> tuple[Mapping[str, Source], Mapping[str, Mapping[str, str]]]:
    from importlib.resources import files

    text = files("grundschutz.rules").joinpath("sources.yaml").read_text(encoding="utf-8")
    sources, editions_ = parse_sources(text, "catalogs/sources.yaml")
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


def catalog_dir(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
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


# --------------------------------------------------------------------------- checksums


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 (hex) of a file; :class:`CatalogError` if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                digest.update(chunk)
    except OSError as exc:
        raise CatalogError(f"Datei nicht lesbar: {path} ({os_read_reason(exc)})") from exc
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
