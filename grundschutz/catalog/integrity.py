"""What ``catalog install`` recorded, and the check of every load against it.

``install_catalogs`` and ``download_catalogs`` record, per installed file,
its size, modification time and SHA-256 in :data:`MANIFEST_FILE` of the
catalog directory (:func:`record_installed`). Before a catalog file is
parsed, :func:`verify_installed` checks it:

- cheaply, when size and modification time are still the recorded ones;
- else by its SHA-256, which must be the recorded one (a file installed with
  ``--force``) or the one pinned in ``sources.yaml``.

A file that fails is refused with :class:`ChangedCatalogError`, in the words
of ``grundschutz catalog status`` ("SHA-256 weicht ab"). A directory nobody
installed (no record: the reference copy used directly, an installation by
an older version) is checked against ``sources.yaml``. The parsed cache
(:mod:`~grundschutz.catalog.loading`) is written only after this check and
is keyed by size, modification time and inode, so a warm load needs no hash.

Limits: a file edited so that its size stays the same and whose modification
time is then set back by hand passes the cheap check; ``catalog status``
hashes every file and finds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grundschutz.catalog.sources import Source, file_sha256
from grundschutz.model.errors import CatalogError, os_error_reason

#: The record of what ``catalog install`` put into a catalog directory.
MANIFEST_FILE = ".grundschutz-installed.json"
_FORMAT = 1
#: How ``grundschutz catalog status`` names each state of a file; the load error uses the same words.
STATUS_WORDS = {"ok": "in Ordnung", "missing": "fehlt", "mismatch": "SHA-256 weicht ab"}


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


class ChangedCatalogError(CatalogError):
    """An installed catalog file is no longer what was installed; ``mismatches`` names each."""

    def __init__(self, directory: Path, mismatches: Sequence[ChecksumMismatch]):
        self.mismatches = tuple(mismatches)
        lines = [f"Katalog in {directory} nicht verwendet: {STATUS_WORDS['mismatch']} "
                 "(Datei nach der Installation verändert oder beschädigt):"]
        lines.extend(str(m) for m in self.mismatches)
        lines.append("`grundschutz catalog status` prüft alle Dateien. Neu installieren mit "
                     "`grundschutz catalog install DIR` oder `grundschutz catalog download`.")
        super().__init__("\n".join(lines))


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, dict]:
    """The recorded files of a catalog directory, by source key (empty if none or unreadable)."""
    try:
        data = json.loads((Path(directory) / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == _FORMAT else None
    if not isinstance(files, dict):
        return {}
    return {key: entry for key, entry in files.items() if isinstance(entry, dict)}


def record_installed(directory: str | os.PathLike[str], hashes: Mapping[str, str],
                     sources: Mapping[str, Source]) -> None:
    """Record size, modification time and SHA-256 (``hashes``: key -> SHA-256) of installed files.

    Entries of other files are kept; the record is written atomically, and
    only if something changed.
    """
    if not hashes:
        return
    folder = Path(directory)
    before = read_manifest(folder)
    files = dict(before)
    for key, sha256 in hashes.items():
        location = sources[key].location(folder)
        try:
            info = location.stat()
        except OSError:
            files.pop(key, None)
            continue
        files[key] = {"path": sources[key].path, "size": info.st_size, "mtime_ns": info.st_mtime_ns,
                      "sha256": sha256}
    if files == before:
        return
    content = json.dumps({"format": _FORMAT, "files": dict(sorted(files.items()))}, indent=1,
                         ensure_ascii=False).encode("utf-8")
    write_atomically(folder / MANIFEST_FILE, [content])


def verify_installed(directory: str | os.PathLike[str], sources: Iterable[Source],
                     manifest: Mapping[str, dict] | None = None) -> None:
    """Check the installed ``sources`` of ``directory`` before they are read.

    Size and modification time as recorded: accepted without reading. Else
    the SHA-256 must be the recorded or the pinned one. Raises
    :class:`ChangedCatalogError` naming every file that fails.
    """
    folder = Path(directory)
    records = read_manifest(folder) if manifest is None else manifest
    mismatches: list[ChecksumMismatch] = []
    for source in sources:
        location = source.location(folder)
        try:
            info = location.stat()
        except OSError:
            continue  # a missing file is reported by whoever needs it ("nicht installiert")
        entry = records.get(source.key) or {}
        if entry.get("path") != source.path:
            entry = {}
        if entry and entry.get("size") == info.st_size and entry.get("mtime_ns") == info.st_mtime_ns:
            continue
        actual = file_sha256(location)
        if actual in (source.sha256, entry.get("sha256")):
            continue
        expected, size = (entry["sha256"], entry.get("size", source.size)) if entry.get("sha256") else \
            (source.sha256, source.size)
        mismatches.append(ChecksumMismatch(source.key, str(location), expected, actual, size, info.st_size))
    if mismatches:
        raise ChangedCatalogError(folder, mismatches)


def write_atomically(target: Path, chunks: Iterable[bytes]) -> str:
    """Write ``chunks`` to ``target`` through a flushed temporary sibling; return the SHA-256.

    :class:`CatalogError` in German naming the folder if it cannot be written
    (disk full, no permission); the temporary file is removed in any case.
    """
    temp, digest = stage(target, chunks)
    try:
        os.replace(temp, target)
    except OSError as exc:
        raise CatalogError(f"Katalogdatei nicht geschrieben: {target} ({os_error_reason(exc)})") from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
    return digest


def stage(target: Path, chunks: Iterable[bytes]) -> tuple[Path, str]:
    """Write ``chunks`` to a flushed temporary file next to ``target``; return it and its SHA-256."""
    import hashlib

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
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise CatalogError(
            f"Katalogverzeichnis nicht beschreibbar: {target.parent} ({os_error_reason(exc)})"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise
    return temp, digest.hexdigest()
