"""Fault injection for the Excel exchange (issue 11): kills, a full disk, two imports at once.

Whole ``grundschutz`` processes are started with a small hook (a pause at a chosen step,
announced on stdout) and then signalled, so that each fault hits a known step. After every
fault the assessment folder is either unchanged or completely updated, and no temporary file
is left: not in the folder, not in the process' temporary directory.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, analysed
from test_excel import write_small
from test_excel_import import edit_book

from grundschutz.cli import main
from grundschutz.exchange.excel.export import export_workbook
from grundschutz.io.files import JOURNAL_FILE, LOCK_FILE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def state(folder: Path) -> dict[str, str]:
    """SHA-256 of each file of the folder, the lock file aside (it stays, empty, by design)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(LOCK_FILE)}


def leftovers(folder: Path) -> list[str]:
    """Temporary files and folders of the toolkit (``.~*``, the journal) in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~") or p.name == JOURNAL_FILE)


class Child:
    """A ``grundschutz`` process with a hook: ``pause`` is Python code run at the chosen step; it
    prints ``PAUSE`` and waits for ``go`` (a file) or a signal. ``catalogs``: passed as ``--catalogs``
    (``None`` for a command without catalog)."""

    def __init__(self, tmp_path: Path, catalogs: Path | None, args: list[str], patch: str) -> None:
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.go = tmp_path / f"go-{os.urandom(4).hex()}"
        code = textwrap.dedent(f"""
            import pathlib, sys, time
            GO = pathlib.Path({str(self.go)!r})

            def pause():
                print("PAUSE", flush=True)
                while not GO.exists():
                    time.sleep(0.02)
            """) + textwrap.dedent(patch) + textwrap.dedent(f"""
            from grundschutz.cli import main
            main({[*args, "--catalogs", str(catalogs)] if catalogs else args!r})
            """)
        env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(self.tmp)}
        self.process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, env=env)

    def wait_for_pause(self) -> None:
        line = self.process.stdout.readline()
        assert line.strip() == "PAUSE", line + self.process.stdout.read()

    def release(self) -> None:
        self.go.touch()

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        output, _ = self.process.communicate(timeout=timeout)
        return self.process.returncode, output


EXPORT_PAUSE = """
    from grundschutz.exchange.excel import writer
    real_table = writer.TableWriter.table

    def table(self, sheet, rows):
        written = real_table(self, sheet, rows)
        if sheet.name == "needs":
            pause()
        return written

    writer.TableWriter.table = table
"""


# --------------------------------------------------------------------------- item 8: interrupted exports


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 1), (signal.SIGTERM, 128 + signal.SIGTERM)])
def test_an_interrupted_export_leaves_nothing(tmp_path, shared_catalogs, signum, code):
    """Item 8: Ctrl-C left /tmp/openpyxl.* files, a kill during the save a .~k.XXXX.xlsx.tmp."""
    folder = write_small(tmp_path / "a")
    out = tmp_path / "out"
    out.mkdir()
    child = Child(tmp_path, shared_catalogs, ["export", str(folder), str(out / "mappe.xlsx")], EXPORT_PAUSE)
    child.wait_for_pause()
    assert leftovers(out)  # the private folder of the export exists while it writes
    child.process.send_signal(signum)
    returncode, output = child.finish()
    assert returncode == code, output
    assert "Traceback" not in output
    assert sorted(p.name for p in out.iterdir()) == []
    assert list(child.tmp.iterdir()) == []


def test_a_killed_export_is_cleaned_up_by_the_next(tmp_path, shared_catalogs):
    """Item 8: SIGKILL cannot be caught; what it leaves is removed by the next export into the folder."""
    folder = write_small(tmp_path / "a")
    out = tmp_path / "out"
    out.mkdir()
    child = Child(tmp_path, shared_catalogs, ["export", str(folder), str(out / "mappe.xlsx")], EXPORT_PAUSE)
    child.wait_for_pause()
    child.process.kill()
    child.finish()
    stale = sorted(p.name for p in out.iterdir())
    assert stale and all(name.startswith(f".~mappe.xlsx.pid{child.process.pid}.") for name in stale)
    result = CliRunner().invoke(main, ["export", str(folder), str(out / "mappe.xlsx"), "--catalogs",
                                       str(shared_catalogs)])
    assert result.exit_code == 0, result.output
    for name in stale:
        assert f"Hinweis: Reste eines abgebrochenen Exports entfernt: {name}" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["mappe.xlsx"]


def test_a_full_disk_during_the_export(tmp_path, shared_catalogs, monkeypatch):
    """Item 7 (export): a full disk ended in a traceback. Now a German error, no file, no temporary file."""
    import xlsxwriter

    folder = write_small(tmp_path / "a")
    out = tmp_path / "out"
    out.mkdir()
    real = xlsxwriter.Workbook._store_workbook

    def full(self):
        real(self)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsxwriter.Workbook, "_store_workbook", full)
    result = CliRunner().invoke(main, ["export", str(folder), str(out / "mappe.xlsx"), "--catalogs",
                                       str(shared_catalogs)])
    assert result.exit_code == 1
    assert result.output == f"Fehler: {out / 'mappe.xlsx'}: nicht geschrieben (Datenträger voll)\n"
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- items 1 and 3: imports


def _edited(folder: Path, catalogs: Path, tmp_path: Path) -> tuple[Path, Path, list]:
    """The small assessment with a check.csv, and two workbooks of one export editing different rows."""
    entries = analysed(folder, catalogs).check.entries[:2]
    (folder / "check.csv").write_text("object,requirement,status\n" + "".join(
        f"{e.object},{e.requirement},nein\n" for e in entries), encoding="utf-8")
    book = tmp_path / "export.xlsx"
    export_workbook(analysed(folder, catalogs), book)
    first, second = tmp_path / "erste.xlsx", tmp_path / "zweite.xlsx"
    edit_book(book, first, [("IT-Grundschutz-Check", (entries[0].object, entries[0].requirement), "Status", "ja")])
    edit_book(book, second, [("IT-Grundschutz-Check", (entries[1].object, entries[1].requirement), "Status",
                              "teilweise"),
                             ("Schutzbedarfsfeststellung", ("SRV-1",), "Integrität: festgestellt", "hoch")])
    return first, second, entries


def pause_before(module: str, function: str, *also_in: str) -> str:
    """The hook for :class:`Child` that pauses when ``module.function`` is called, before it runs (also where
    the modules ``also_in`` import it from ``module``)."""
    return f"""
    import importlib
    real_function = getattr(importlib.import_module({module!r}), {function!r})

    def paused(*args, **kwargs):
        pause()
        return real_function(*args, **kwargs)

    for name in {(module, *also_in)!r}:
        setattr(importlib.import_module(name), {function!r}, paused)
    """


IMPORT_PAUSE = pause_before("grundschutz.exchange.excel.importing", "apply_import")


def test_two_imports_at_the_same_time_one_is_refused(tmp_path, shared_catalogs):
    """Item 1: two `import --apply` on one folder both said "Übernommen", check.csv kept one edit.
    Both plans are made before either writes; the second writer waits for the lock, finds the files
    changed and refuses, naming what changed; nothing of it is written."""
    folder = write_small(tmp_path / "a")
    first, second, entries = _edited(folder, shared_catalogs, tmp_path)
    children = [Child(tmp_path, shared_catalogs, ["import", str(folder), str(book), "--apply"], IMPORT_PAUSE)
                for book in (first, second)]
    for child in children:
        child.wait_for_pause()
    for child in children:
        child.release()
    results = [child.finish() for child in children]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    won = next(i for i, (code, _) in enumerate(results) if code == 0)
    lost_output = results[1 - won][1]
    assert "Übernommen" in results[won][1]
    assert ("wurde während des Imports geändert (ein anderer Vorgang, z. B. ein zweiter Import?); nichts "
            "geschrieben" in lost_output), lost_output
    check = (folder / "check.csv").read_text(encoding="utf-8")
    statuses = ["ja", "teilweise"]
    assert f"{entries[won].object},{entries[won].requirement},{statuses[won]}\n" in check
    assert f"{entries[1 - won].object},{entries[1 - won].requirement},nein\n" in check
    assert ("SRV-1,,hoch" in (folder / "needs.csv").read_text(encoding="utf-8")) == (won == 1)
    assert leftovers(folder) == []


def test_a_full_disk_between_two_files_changes_nothing(tmp_path, shared_catalogs, monkeypatch):
    """Item 3: with the disk full between two files, needs.csv was replaced but check.csv not, a
    traceback followed and re-running was refused. Now nothing changes and re-running works."""
    folder = write_small(tmp_path / "a")
    _, second, _ = _edited(folder, shared_catalogs, tmp_path)
    before = state(folder)
    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the second file's content
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    args = ["import", str(folder), str(second), "--apply", "--catalogs", str(shared_catalogs)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Fehler: ") and "nicht geschrieben (Datenträger voll)" in result.output
    assert state(folder) == before and leftovers(folder) == []
    monkeypatch.setattr(os, "fsync", real)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "Geschrieben: needs.csv, check.csv." in again.output or "Geschrieben: check.csv, needs.csv." in again.output


#: Stops ``import --apply`` after the first of its two renames.
FIRST_RENAME = """
    import os
    real_replace = os.replace
    done = []

    def replace(src, dst, *args, **kwargs):
        real_replace(src, dst, *args, **kwargs)
        if str(dst).endswith(".csv"):
            done.append(dst)
            if len(done) == 1:
                pause()

    os.replace = replace
"""


def test_an_import_killed_between_two_renames_is_completed(tmp_path, shared_catalogs):
    """Items 3 and 11: a kill after the first of two renames leaves a journal; the next command that
    writes the folder (here the next import, even a dry run) completes the change first."""
    folder = write_small(tmp_path / "a")
    _, second, _ = _edited(folder, shared_catalogs, tmp_path)
    before = state(folder)
    child = Child(tmp_path, shared_catalogs, ["import", str(folder), str(second), "--apply"], FIRST_RENAME)
    child.wait_for_pause()
    child.process.kill()
    child.finish()
    assert (folder / JOURNAL_FILE).exists()
    half = state(folder)
    assert sum(half.get(name) != before[name] for name in ("needs.csv", "check.csv")) == 1
    result = CliRunner().invoke(main, ["import", str(folder), str(second), "--catalogs", str(shared_catalogs)])
    after = state(folder)
    assert all(after[name] != before[name] for name in ("needs.csv", "check.csv"))  # completely updated
    assert leftovers(folder) == []
    assert result.exit_code == 1 and "wurde nach dem Export geändert" in result.output  # and now imported


def test_an_import_interrupted_while_it_checks_changes_nothing(tmp_path, shared_catalogs):
    """Item 8 (import): SIGTERM while the import checks the result in a temporary copy: nothing
    written, the copy removed."""
    folder = write_small(tmp_path / "a")
    _, second, _ = _edited(folder, shared_catalogs, tmp_path)
    before = state(folder)
    patch = """
        from grundschutz.exchange.excel import importing
        real_analyse = importing.analyse

        def analyse(*args, **kwargs):
            pause()
            return real_analyse(*args, **kwargs)

        importing.analyse = analyse
    """
    child = Child(tmp_path, shared_catalogs, ["import", str(folder), str(second), "--apply"], patch)
    child.wait_for_pause()
    assert list(child.tmp.iterdir())  # the temporary copy exists while the import checks it
    child.process.send_signal(signal.SIGTERM)
    returncode, output = child.finish()
    assert returncode == 128 + signal.SIGTERM and "Traceback" not in output, output
    assert state(folder) == before
    assert leftovers(folder) == [] and list(child.tmp.iterdir()) == []


# --------------------------------------------------------------------------- a kill at each step


#: Where ``replace_files`` (grundschutz.io.files) is stopped: after the first new content is on disk
#: (nothing renamed, no journal yet), after the journal is written, after the first of two renames,
#: after all renames (backups and journal not yet removed).
IMPORT_STEPS = {
    "neuer Inhalt geschrieben": """
        import os
        from grundschutz.io import files
        real_fsync = os.fsync

        def fsync(fd):
            real_fsync(fd)
            pause()

        os.fsync = fsync
    """,
    "Journal geschrieben": """
        from grundschutz.io import files
        real_write = files.atomic_write

        def atomic_write(path, data):
            written = real_write(path, data)
            if str(path).endswith(files.JOURNAL_FILE):
                pause()
            return written

        files.atomic_write = atomic_write
    """,
    "erste Datei umbenannt": FIRST_RENAME,
    "alle Dateien umbenannt": """
        from grundschutz.io import files
        real_finish = files._finish

        def finish(folder, journal):
            pause()
            return real_finish(folder, journal)

        files._finish = finish
    """,
}


@pytest.mark.parametrize("step", list(IMPORT_STEPS))
def test_an_import_killed_at_each_step_is_unchanged_or_complete(tmp_path, shared_catalogs, step):
    """Issue 11, fault suite: ``import --apply`` killed outright (SIGKILL) at each step of writing two
    files. Right after the kill the folder holds, per file, the old or the new content, whole; the next
    command that touches the folder (an import dry run) leaves it either unchanged (killed before the
    journal) or completely updated (killed after), and no temporary file of the toolkit remains."""
    import shutil

    folder = write_small(tmp_path / "a")
    _, second, _ = _edited(folder, shared_catalogs, tmp_path)
    before = state(folder)
    reference = tmp_path / "reference"
    shutil.copytree(folder, reference)
    done = CliRunner().invoke(main, ["import", str(reference), str(second), "--apply", "--catalogs",
                                     str(shared_catalogs)])
    assert done.exit_code == 0, done.output
    complete = state(reference)
    assert complete != before

    child = Child(tmp_path, shared_catalogs, ["import", str(folder), str(second), "--apply"], IMPORT_STEPS[step])
    child.wait_for_pause()
    child.process.kill()
    child.finish()
    killed = state(folder)
    assert all(killed[name] in (before[name], complete[name]) for name in before), step
    CliRunner().invoke(main, ["import", str(folder), str(second), "--catalogs", str(shared_catalogs)])
    assert state(folder) in (before, complete), step
    assert (state(folder) == complete) == (step != "neuer Inhalt geschrieben"), step
    assert leftovers(folder) == [], step
    assert list(child.tmp.iterdir()) == []


EXPORT_BEFORE_RENAME = """
    import os
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith("mappe.xlsx"):
            pause()
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_export_stopped_before_its_rename_keeps_the_old_workbook(tmp_path, shared_catalogs, signum):
    """Issue 11, fault suite: the export's last step - the workbook is complete in its temporary file,
    the rename over the old one has not happened. Ctrl-C and SIGTERM leave the old workbook and nothing
    else; after SIGKILL the old workbook is whole and the next export removes what was left."""
    folder = write_small(tmp_path / "a")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "mappe.xlsx"
    args = ["export", str(folder), str(target), "--catalogs", str(shared_catalogs)]
    assert CliRunner().invoke(main, args).exit_code == 0
    old = target.read_bytes()
    child = Child(tmp_path, shared_catalogs, ["export", str(folder), str(target)], EXPORT_BEFORE_RENAME)
    child.wait_for_pause()
    assert any(p.name.endswith(".tmp") for p in out.iterdir())  # the new workbook waits for its rename
    child.process.send_signal(signum)
    returncode, output = child.finish()
    assert "Traceback" not in output
    assert target.read_bytes() == old
    assert list(child.tmp.iterdir()) == []
    if signum != signal.SIGKILL:
        assert returncode == (1 if signum == signal.SIGINT else 128 + signum), output
        assert sorted(p.name for p in out.iterdir()) == ["mappe.xlsx"]
        return
    assert CliRunner().invoke(main, args).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["mappe.xlsx"]
