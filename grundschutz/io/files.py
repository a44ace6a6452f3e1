"""Writing files so that nothing is lost or half-written.

- :func:`atomic_write` and :func:`atomic_output`: a file is written to a
  temporary sibling, flushed to disk and only then renamed over the target;
  an interrupted or failed write leaves the old file (or none) and no
  temporary file. A process killed outright (``SIGKILL``, power loss) can
  leave its temporary file; its name carries the process id, and the next
  write into that folder removes it (:func:`remove_stale_temporaries`). A
  target without write permission is refused, not replaced.
- :func:`replace_files`: several files of one folder change all together or
  not at all. A small journal in the folder lets the next writer finish (or
  undo) a change that a crash interrupted between two renames.
- :func:`folder_lock`: one writer per assessment folder at a time; a second
  one waits a few seconds, then gets a German message naming the holder.

Every failure is a :class:`WriteError` in German naming the path (disk full,
no permission, folder missing), never a traceback.
"""

from __future__ import annotations

import contextlib
import errno  # noqa: F401 - the doctests use it
import json
import os
import re
import socket
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from grundschutz.model.errors import GrundschutzError, os_error_reason

#: The lock file of an assessment folder (keep it out of version control).
LOCK_FILE = ".grundschutz.lock"
#: The journal of an interrupted multi-file change.
JOURNAL_FILE = ".grundschutz-journal.json"
#: Prefix of every temporary file this module creates next to a target.
TEMP_PREFIX = ".~"


class WriteError(GrundschutzError):
    """A file could not be written; the message names the path and the reason in German."""


def write_error(path: str | os.PathLike[str], exc: OSError) -> WriteError:
    """The :class:`WriteError` for ``exc`` while writing ``path``.

    >>> str(write_error("a/b.html", OSError(errno.ENOSPC, "No space left on device")))
    'a/b.html: nicht geschrieben (Datenträger voll)'
    """
    return WriteError(f"{path}: nicht geschrieben ({os_error_reason(exc)})")


def _mode_for(path: Path) -> int:
    """The permissions a rewritten ``path`` keeps: its own, or what a plain ``open()`` would give."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _check_folder(path: Path) -> None:
    if not path.parent.is_dir():
        raise WriteError(f"{path}: nicht geschrieben (Ordner {path.parent} gibt es nicht)")


def _check_writable(path: Path) -> None:
    """Refuse a target that is a folder or a file without write permission (even for root)."""
    try:
        info = path.stat()
    except OSError:
        return
    if stat.S_ISDIR(info.st_mode):
        raise WriteError(f"{path}: nicht geschrieben (ist ein Ordner)")
    if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WriteError(f"{path}: nicht geschrieben (Datei ist schreibgeschützt)")


def check_target(path: str | os.PathLike[str]) -> Path:
    """Fail early, before any work: :class:`WriteError` if ``path`` cannot be written
    (its folder is missing, it is a folder, it is read-only); else the path."""
    target = Path(path)
    _check_folder(target)
    _check_writable(target)
    return target


#: The temporary files of :func:`atomic_output`: ``.~<name>.pid<process id>.<random><suffix>``.
_TEMPORARY = re.compile(r"^" + re.escape(TEMP_PREFIX) + r".+\.pid(\d+)\.[a-z0-9_]{8}(\.[^.]*)?$")


def process_running(pid: int) -> bool:
    """Whether the process ``pid`` runs on this machine (a process of another user counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of :func:`atomic_output` in ``folder`` whose process no longer runs.

    Such a file is left only when a writer was killed outright (``SIGKILL``,
    power loss) between creating and renaming it; the target itself was never
    touched. Returns the files removed. A process id is checked on this
    machine only: on a folder shared between machines, the temporary file of
    a writer on another machine can be removed while it writes, and that
    writer then fails with an error (its target stays as it was).
    """
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.match(name)
        if match and not process_running(int(match.group(1))):
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path next to ``path`` to write to; renamed over ``path`` when the block ends without error.

    For writers that need a file name (a workbook, a figure). On any error,
    and on ``KeyboardInterrupt``/``SystemExit``, the temporary file is removed
    and ``path`` is left as it was.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with atomic_output(target) as temp:
    ...     _ = temp.write_text("fertig")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('fertig', ['x.txt'])
    """
    target = check_target(path)
    remove_stale_temporaries(target.parent)
    mode = _mode_for(target)
    try:
        handle, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.pid{os.getpid()}.", suffix=suffix,
                                        dir=target.parent)
        os.close(handle)
    except OSError as exc:
        raise write_error(target, exc) from None
    temp = Path(name)
    try:
        yield temp
        _fsync(temp)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise write_error(target, exc) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (``str`` as UTF-8) to ``path`` atomically; return the path."""
    target = Path(path)
    content = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(target) as temp:
        temp.write_bytes(content)
    return target


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def replace_files(folder: str | os.PathLike[str], files: Mapping[str, bytes]) -> None:
    """Replace the files ``files`` (name -> content) of ``folder`` all together or not at all.

    Every new content is first written to a temporary sibling and flushed;
    nothing has changed if that fails (full disk, read-only file). Then a
    journal is written and the files are renamed into place, the old ones
    kept as backups until all renames are done. A failure during the renames
    restores the backups; a crash leaves the journal, and
    :func:`recover_interrupted` (called by the next writer) completes the
    change. Call it under :func:`folder_lock`.
    """
    folder = Path(folder)
    recover_interrupted(folder)
    temps: dict[str, Path] = {}
    name = ""
    try:
        for name, content in files.items():
            target = folder / name
            _check_folder(target)
            _check_writable(target)
            handle, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.", suffix=".new", dir=folder)
            temps[name] = Path(temp)
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, _mode_for(target))
    except OSError as exc:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise write_error(folder / name, exc) from None
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    backups = {name: folder / f"{TEMP_PREFIX}{name}.bak" for name in files if (folder / name).exists()}
    journal = {"new": {n: t.name for n, t in temps.items()}, "backup": {n: b.name for n, b in backups.items()}}
    atomic_write(folder / JOURNAL_FILE, json.dumps(journal, ensure_ascii=False))
    done: list[str] = []
    try:
        for name, backup in backups.items():
            os.link(folder / name, backup)
        for name, temp in temps.items():
            os.replace(temp, folder / name)
            done.append(name)
    except OSError as exc:
        _undo(folder, journal, done)
        raise write_error(folder / (next((n for n in files if n not in done), "")), exc) from None
    _finish(folder, journal)


def recover_interrupted(folder: str | os.PathLike[str]) -> bool:
    """Complete a change of :func:`replace_files` that a crash interrupted; True if there was one.

    The journal lists the new contents (all written and flushed before the
    first rename), so the change is completed: every remaining new file is
    renamed into place, then backups and journal are removed. New contents
    staged by a writer killed before its journal existed are removed (the
    files were never touched). Call it under :func:`folder_lock`.
    """
    folder = Path(folder)
    path = folder / JOURNAL_FILE
    if not path.is_file():
        _remove_orphans(folder, set())
        return False
    journal = json.loads(path.read_text(encoding="utf-8"))
    for name, temp in journal["new"].items():
        if (folder / temp).exists():
            os.replace(folder / temp, folder / name)
    _finish(folder, journal)
    _remove_orphans(folder, set(journal["new"].values()) | set(journal["backup"].values()))
    return True


def _remove_orphans(folder: Path, listed: set[str]) -> None:
    """Remove the new contents (``.~<name>.*.new``) a writer killed before it wrote its journal left.

    Only the holder of :func:`folder_lock` stages files, so under the lock a
    staged file no journal lists belongs to a writer that ended: none of its
    change had reached the files (the journal comes before the first rename).
    """
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(".new") and entry.name not in listed:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _undo(folder: Path, journal: dict, done: list[str]) -> None:
    for name in done:
        backup = folder / journal["backup"].get(name, "")
        if name in journal["backup"] and backup.exists():
            os.replace(backup, folder / name)
        else:
            (folder / name).unlink(missing_ok=True)
    for temp in journal["new"].values():
        (folder / temp).unlink(missing_ok=True)
    _finish(folder, journal)


def _finish(folder: Path, journal: dict) -> None:
    for backup in journal["backup"].values():
        (folder / backup).unlink(missing_ok=True)
    (folder / JOURNAL_FILE).unlink(missing_ok=True)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike[str], timeout: float = 5.0, purpose: str = "") -> Iterator[None]:
    """Hold the lock of an assessment folder: one writer at a time.

    A second writer waits up to ``timeout`` seconds, then gets a
    :class:`GrundschutzError` naming who holds the lock (process, host,
    since when, what for). The lock file :data:`LOCK_FILE` stays in the
    folder (empty of meaning when nobody holds it).
    """
    from filelock import FileLock, Timeout

    folder = Path(folder)
    path = folder / LOCK_FILE
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise GrundschutzError(f"{folder}: die Bewertung wird gerade von einem anderen Vorgang geändert "
                               f"({_holder(folder)}); bitte warten und erneut versuchen") from None
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%d.%m.%Y %H:%M:%S"),
                "purpose": purpose}
        with contextlib.suppress(OSError):
            (folder / f"{LOCK_FILE}.info").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            (folder / f"{LOCK_FILE}.info").unlink()
        lock.release()


def _holder(folder: Path) -> str:
    try:
        info = json.loads((folder / f"{LOCK_FILE}.info").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "unbekannter Vorgang"
    what = f"{info.get('purpose')}, " if info.get("purpose") else ""
    return f"{what}Prozess {info.get('pid')} auf {info.get('host')} seit {info.get('since')}"
