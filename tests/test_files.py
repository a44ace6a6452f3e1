"""Writing files: atomic, all-or-nothing across files, one writer per folder, German errors."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grundschutz.io.files import (
    JOURNAL_FILE,
    WriteError,
    atomic_output,
    atomic_write,
    folder_lock,
    recover_interrupted,
    replace_files,
)
from grundschutz.model import GrundschutzError


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path):
    target = tmp_path / "needs.csv"
    target.write_text("alt", encoding="utf-8")
    target.chmod(0o640)
    atomic_write(target, "neu")
    assert target.read_text(encoding="utf-8") == "neu"
    assert target.stat().st_mode & 0o777 == 0o640
    assert _listing(tmp_path) == ["needs.csv"]


def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("alt", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(WriteError, match=r"r\.html: nicht geschrieben \(Datenträger voll\)"):
        atomic_write(target, "neu")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "alt"
    assert _listing(tmp_path) == ["r.html"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(WriteError, match="gibt es nicht"):
        atomic_write(tmp_path / "fehlt" / "r.html", "x")


def test_an_interrupted_writer_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_output(tmp_path / "p.png") as temp:
        temp.write_bytes(b"halb")
        raise KeyboardInterrupt
    assert _listing(tmp_path) == []


def test_several_files_change_all_together(tmp_path):
    (tmp_path / "needs.csv").write_text("n0", encoding="utf-8")
    (tmp_path / "check.csv").write_text("c0", encoding="utf-8")
    replace_files(tmp_path, {"needs.csv": b"n1", "check.csv": b"c1", "risks.csv": b"r1"})
    assert [(p.name, p.read_text(encoding="utf-8")) for p in sorted(tmp_path.iterdir())] == [
        ("check.csv", "c1"), ("needs.csv", "n1"), ("risks.csv", "r1")]


def test_a_failing_rename_undoes_the_ones_done(tmp_path, monkeypatch):
    (tmp_path / "needs.csv").write_text("n0", encoding="utf-8")
    (tmp_path / "check.csv").write_text("c0", encoding="utf-8")
    real = os.replace
    calls = []

    def second_fails(src, dst):
        if str(dst).endswith(".csv"):
            calls.append(dst)
            if len(calls) == 2:
                raise OSError(errno.EACCES, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", second_fails)
    with pytest.raises(WriteError, match="keine Schreibrechte"):
        replace_files(tmp_path, {"needs.csv": b"n1", "check.csv": b"c1"})
    monkeypatch.undo()
    assert (tmp_path / "needs.csv").read_text(encoding="utf-8") == "n0"
    assert (tmp_path / "check.csv").read_text(encoding="utf-8") == "c0"
    assert _listing(tmp_path) == ["check.csv", "needs.csv"]


def test_a_full_disk_before_the_renames_changes_nothing(tmp_path, monkeypatch):
    (tmp_path / "needs.csv").write_text("n0", encoding="utf-8")
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(WriteError, match="Datenträger voll"):
        replace_files(tmp_path, {"needs.csv": b"n1", "check.csv": b"c1"})
    monkeypatch.setattr(os, "fsync", real)
    assert _listing(tmp_path) == ["needs.csv"]
    assert (tmp_path / "needs.csv").read_text(encoding="utf-8") == "n0"


def test_a_crash_between_renames_is_completed_by_the_next_writer(tmp_path, monkeypatch):
    (tmp_path / "needs.csv").write_text("n0", encoding="utf-8")
    (tmp_path / "check.csv").write_text("c0", encoding="utf-8")
    real = os.replace
    renamed = []

    def crash_after_first(src, dst):
        if str(dst).endswith(".csv"):
            if renamed:
                raise SystemExit("killed")  # a kill: no except clause of the writer runs
            renamed.append(dst)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", crash_after_first)
    with pytest.raises(SystemExit):
        replace_files(tmp_path, {"needs.csv": b"n1", "check.csv": b"c1"})
    monkeypatch.undo()
    assert (tmp_path / JOURNAL_FILE).exists()
    assert recover_interrupted(tmp_path) is True
    assert (tmp_path / "needs.csv").read_text(encoding="utf-8") == "n1"
    assert (tmp_path / "check.csv").read_text(encoding="utf-8") == "c1"
    assert _listing(tmp_path) == ["check.csv", "needs.csv"]


def test_a_second_writer_waits_then_is_told_who_holds_the_lock(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from grundschutz.io.files import folder_lock
        with folder_lock({str(tmp_path)!r}, purpose="grundschutz import"):
            print("gesperrt", flush=True)
            time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "gesperrt"
        started = time.monotonic()
        with pytest.raises(GrundschutzError) as info, folder_lock(tmp_path, timeout=0.5):
            pass
        assert time.monotonic() - started >= 0.5
        assert str(info.value).startswith(f"{tmp_path}: die Bewertung wird gerade von einem anderen Vorgang "
                                          f"geändert (grundschutz import, Prozess {holder.pid} auf ")
    finally:
        holder.kill()
        holder.wait()
    with folder_lock(tmp_path, timeout=0.5):  # free again once the holder is gone
        pass
