"""Fixtures of the fault-injection suite: a disk that fills up and a read-only folder (issue 11).

A tiny tmpfs would need root and a mount; the writes are monkeypatched
instead. As root, file modes do not stop a write, so a read-only folder is
made with ``chmod`` *and* by refusing creation inside it (:func:`read_only`).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest


def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


class _FillingUp:
    """A file opened for writing on a disk that fills up: the first write puts half down, then fails."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._handle.close()

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture(params=["while writing", "when flushing"])
def disk_full(request, monkeypatch, tmp_path):
    """``disk_full()`` fills the disk under ``tmp_path`` from now on: every file opened for
    writing there (``open``, ``Path.write_bytes``, ``os.fdopen``) stops in the middle of its
    first write, or the data cannot be flushed (delayed allocation: ``os.fsync`` fails)."""
    real_open = io.open
    root = tmp_path.resolve()

    def on_this_disk(file) -> bool:
        if isinstance(file, int):
            file = os.readlink(f"/proc/self/fd/{file}") if os.path.exists("/proc/self/fd") else str(root)
        return root in Path(os.fsdecode(file)).resolve().parents

    def opening(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        return _FillingUp(handle) if set(mode) & set("wxa+") and on_this_disk(file) else handle

    def fill() -> None:
        if request.param == "while writing":
            monkeypatch.setattr(io, "open", opening)
            monkeypatch.setattr(builtins, "open", opening)
        else:
            monkeypatch.setattr(os, "fsync", _full)

    return fill


@pytest.fixture()
def read_only(monkeypatch):
    """``read_only(folder, code)``: nothing can be created, renamed or removed in ``folder``.

    The folder is made read-only with ``chmod`` and, because root ignores
    modes, creating, renaming into and removing inside it raise ``code``
    (``EACCES``: no permission, ``EROFS``: read-only file system).
    """
    made: list[Path] = []

    def deny(folder: Path, code: int = errno.EACCES) -> Path:
        folder = folder.resolve()
        folder.chmod(0o555)
        made.append(folder)

        def inside(path) -> bool:
            try:
                resolved = Path(os.fsdecode(path)).resolve()
            except (TypeError, ValueError, OSError):
                return False
            return folder == resolved or folder in resolved.parents

        def refused(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))

        real_open, real_os_open = builtins.open, os.open
        real_replace, real_rename, real_mkdir, real_unlink = os.replace, os.rename, os.mkdir, os.unlink

        def guarded_open(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)) and set(mode) & set("wxa+") and inside(file):
                refused(file)
            return real_open(file, mode, *args, **kwargs)

        def guarded_os_open(path, flags, *args, **kwargs):
            if flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR) and inside(path):
                refused(path)
            return real_os_open(path, flags, *args, **kwargs)

        def guarded(real, argument):  # argument: the position of the path that must not be inside
            def call(*args, **kwargs):
                if inside(args[argument]):
                    refused(args[argument])
                return real(*args, **kwargs)
            return call

        monkeypatch.setattr(builtins, "open", guarded_open)
        monkeypatch.setattr(io, "open", guarded_open)
        monkeypatch.setattr(os, "open", guarded_os_open)
        monkeypatch.setattr(os, "replace", guarded(real_replace, 1))
        monkeypatch.setattr(os, "rename", guarded(real_rename, 1))
        monkeypatch.setattr(os, "mkdir", guarded(real_mkdir, 0))
        monkeypatch.setattr(os, "unlink", guarded(real_unlink, 0))
        return folder

    yield deny
    for folder in made:
        folder.chmod(0o755)
