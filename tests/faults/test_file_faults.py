"""Fault injection on every write path outside the Excel exchange (issue 11, items 6 and 7).

The paths: the HTML report, the figures, ``catalog install``/``download``
(the files and the record of what was installed), the parsed catalog cache,
the git revisions ``diff`` exports, and ``scripts/cli_reference.py``.
The faults: a missing output folder, a full disk (monkeypatched writes that
put half the data down and then raise ``ENOSPC``, or a failing flush), a
read-only file or folder or file system, and a kill while the report is
written (a subprocess and a signal). Each test asserts a German error naming
the path, exit code 1 and no traceback, and that the target is unchanged or
complete and no temporary file remains.

The fixtures ``disk_full`` and ``read_only`` are in ``tests/faults/conftest.py``.
"""

from __future__ import annotations

import errno
import importlib.util
import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grundschutz.catalog import (
    download_catalogs,
    install_catalogs,
    load_catalog,
    official_sources,
)
from grundschutz.cli import main
from grundschutz.io import read_assessment
from grundschutz.io.files import atomic_write, remove_stale_temporaries
from grundschutz.method import analyse
from grundschutz.model.errors import CatalogError
from grundschutz.views.report import build_report

REPO = Path(__file__).resolve().parents[2]
SMALL = REPO / "tests" / "data" / "small"
SOURCES = official_sources()
XML_KEY, KRT_KEY = "kompendium-2023-xml", "krt-2023"
OLD = "<!DOCTYPE html><p>alter Bericht</p>\n"


# --------------------------------------------------------------------------- helpers


def leftovers(folder: Path) -> list[str]:
    """Temporary files of any writer below ``folder`` (``.~*``, ``*.tmp``, ``*.part``, ``*.new``, ``*.bak``)."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.startswith(".~") or p.suffix in (".tmp", ".part", ".new", ".bak"))


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def failed_cleanly(result, *fragments: str) -> None:
    """Exit code 1, a message with every fragment, no traceback."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def _half_then_full(self: Path, data, *args, **kwargs):
    """A write that puts the first half down, then finds the disk full."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with io.FileIO(self, "w") as out:
        out.write(raw[: len(raw) // 2])
    raise OSError(errno.ENOSPC, "No space left on device", str(self))


@pytest.fixture(scope="module")
def small_report(shared_catalogs) -> str:
    """The real report of the small example, built once; the tests below fault its writing, not its building."""
    return build_report(analyse(read_assessment(SMALL), load_catalog(shared_catalogs)))


@pytest.fixture()
def quick_report(small_report, monkeypatch):
    """``report`` writes the prebuilt report of the small example (the write is what is under test)."""
    import grundschutz.views.report as report_module

    monkeypatch.setattr(report_module, "build_report", lambda analysis, **options: small_report)
    return small_report


# --------------------------------------------------------------------------- report and plot (items 6, 7)


def test_report_into_a_missing_folder_names_it(tmp_path, shared_catalogs):
    """Item 6: ``report -o missing/dir/r.html`` raised FileNotFoundError with a traceback."""
    target = tmp_path / "fehlt" / "ordner" / "r.html"
    result = run("report", SMALL, "-o", target, "--catalogs", shared_catalogs)
    failed_cleanly(result, f"{target}: nicht geschrieben", f"Ordner {target.parent} gibt es nicht")
    assert not (tmp_path / "fehlt").exists()


@pytest.mark.parametrize("kind", ["graph", "heatmap", "coverage"])
def test_plot_into_a_missing_folder_names_it(tmp_path, shared_catalogs, kind):
    """Item 6: ``plot … -o missing/dir/p.png`` raised FileNotFoundError with a traceback."""
    target = tmp_path / "fehlt" / "p.png"
    result = run("plot", SMALL, kind, "-o", target, "--catalogs", shared_catalogs)
    failed_cleanly(result, f"{target}: nicht geschrieben", "gibt es nicht")
    assert list(tmp_path.iterdir()) == []


def test_report_on_a_full_disk_keeps_the_old_report(tmp_path, shared_catalogs, quick_report, disk_full):
    """Item 7: a full disk left a truncated r.html and a traceback."""
    target = tmp_path / "r.html"
    target.write_text(OLD, encoding="utf-8")
    disk_full()
    result = run("report", SMALL, "-o", target, "--catalogs", shared_catalogs)
    failed_cleanly(result, f"{target}: nicht geschrieben (Datenträger voll)")
    assert target.read_text(encoding="utf-8") == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plot_on_a_full_disk_leaves_no_file(tmp_path, shared_catalogs, disk_full, suffix):
    """Item 7: a full disk left a 0-byte PNG and a traceback."""
    target = tmp_path / f"p{suffix}"
    disk_full()
    result = run("plot", SMALL, "heatmap", "-o", target, "--catalogs", shared_catalogs)
    failed_cleanly(result, f"{target}: nicht geschrieben (Datenträger voll)")
    assert list(tmp_path.iterdir()) == []


def test_report_and_plot_refuse_a_read_only_file(tmp_path, shared_catalogs):
    report_target, plot_target = tmp_path / "r.html", tmp_path / "p.png"
    for target in (report_target, plot_target):
        target.write_text(OLD, encoding="utf-8")
        target.chmod(0o444)
    failed_cleanly(run("report", SMALL, "-o", report_target, "--catalogs", shared_catalogs),
                   f"{report_target}: nicht geschrieben (Datei ist schreibgeschützt)")
    failed_cleanly(run("plot", SMALL, "graph", "-o", plot_target),
                   f"{plot_target}: nicht geschrieben (Datei ist schreibgeschützt)")
    for target in (report_target, plot_target):
        assert target.read_text(encoding="utf-8") == OLD and target.stat().st_mode & 0o777 == 0o444
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("code", "reason"), [(errno.EACCES, "keine Schreibrechte"),
                                              (errno.EROFS, "Dateisystem nur lesbar")])
def test_report_and_plot_into_a_read_only_folder(tmp_path, shared_catalogs, quick_report, read_only, code, reason):
    folder = tmp_path / "ablage"
    folder.mkdir()
    (folder / "r.html").write_text(OLD, encoding="utf-8")
    read_only(folder, code)
    failed_cleanly(run("report", SMALL, "-o", folder / "r.html", "--catalogs", shared_catalogs),
                   f"{folder / 'r.html'}: nicht geschrieben ({reason})")
    failed_cleanly(run("plot", SMALL, "heatmap", "-o", folder / "p.png"),
                   f"{folder / 'p.png'}: nicht geschrieben ({reason})")
    assert sorted(p.name for p in folder.iterdir()) == ["r.html"]
    assert (folder / "r.html").read_text(encoding="utf-8") == OLD


# --------------------------------------------------------------------------- a kill while the report is written

_CHILD = """
import pathlib, sys, time
import grundschutz.views.report as report_module
from grundschutz.cli import main

canned = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
report_module.build_report = lambda analysis, **options: canned
real = pathlib.Path.write_bytes

def slow(self, data):
    if not self.name.startswith(".~"):
        return real(self, data)
    with open(self, "wb") as out:  # half of the report is on disk when the signal comes
        out.write(data[: len(data) // 2])
        out.flush()
    print("SCHREIBT", file=sys.stderr, flush=True)
    time.sleep(120)

pathlib.Path.write_bytes = slow
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("kill", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_report_killed_while_writing_leaves_the_old_one(tmp_path, shared_catalogs, small_report, quick_report,
                                                          kill):
    """A signal in the middle of the write: the old report stays, whole; no temporary file stays for long.

    Ctrl-C (SIGINT) unwinds, and the temporary file goes at once. SIGKILL
    (and SIGTERM without a handler) ends the process where it stands; its
    temporary file carries its process id, and the next write into the
    folder removes it.
    """
    canned = tmp_path / "bericht.txt"
    canned.write_text(small_report, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "r.html"
    target.write_text(OLD, encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(canned), "report", str(SMALL), "-o", str(target),
         "--catalogs", str(shared_catalogs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        line = child.stderr.readline()
        assert line == "SCHREIBT\n", line + child.stderr.read()
        child.send_signal(kill)
        _, errors = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode != 0
    assert "Traceback" not in errors, errors
    assert target.read_text(encoding="utf-8") == OLD
    if kill == signal.SIGINT:
        assert leftovers(out) == []
    else:  # at most the killed writer's own temporary file, named with its process id
        assert all(name.startswith(f".~r.html.pid{child.pid}.") for name in leftovers(out)), leftovers(out)
    result = run("report", SMALL, "-o", target, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == small_report
    assert leftovers(out) == []


def test_only_temporary_files_of_ended_processes_are_removed(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    stale = tmp_path / f".~r.html.pid{ended.pid}.k3x9q2zz.tmp"
    running = tmp_path / f".~p.png.pid{os.getpid()}.a1b2c3d4.tmp"
    journal_copy = tmp_path / ".~needs.csv.a1b2c3d4.new"  # replace_files' own: its journal decides
    for path in (stale, running, journal_copy):
        path.write_bytes(b"halb")
    assert remove_stale_temporaries(tmp_path) == [stale]
    atomic_write(tmp_path / "r.html", "neu")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([running.name, journal_copy.name, "r.html"])


# --------------------------------------------------------------------------- catalog install, download, cache


def test_catalog_install_on_a_full_disk_installs_nothing(tmp_path, shared_catalogs, disk_full):
    dest = tmp_path / "kataloge"
    disk_full()
    result = run("catalog", "install", shared_catalogs / SOURCES[XML_KEY].path,
                 shared_catalogs / SOURCES[KRT_KEY].path, "--catalogs", dest)
    failed_cleanly(result, "nicht beschreibbar", "(Datenträger voll)")
    assert [p for p in dest.rglob("*") if p.is_file()] == []


def test_catalog_install_when_the_record_cannot_be_written(tmp_path, shared_catalogs, monkeypatch):
    """The files are in place, the record of them is not: an error, and the files are still checked on load."""
    real = os.fsync
    calls = []

    def third_fails(fd):
        calls.append(fd)
        if len(calls) == 3:  # the Kompendium, the KRT, then the record
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", third_fails)
    dest = tmp_path / "kataloge"
    result = run("catalog", "install", shared_catalogs / SOURCES[XML_KEY].path,
                 shared_catalogs / SOURCES[KRT_KEY].path, "--catalogs", dest)
    failed_cleanly(result, "(Datenträger voll)")
    monkeypatch.undo()
    assert leftovers(dest) == []
    assert sorted(p.name for p in dest.rglob("*") if p.is_file()) == ["XML_Kompendium_2023.xml", "krt2023_Excel.xlsx"]
    assert run("catalog", "status", "--catalogs", dest).output.count("in Ordnung") == 2


@pytest.mark.parametrize(("code", "reason"), [(errno.EACCES, "keine Schreibrechte"),
                                              (errno.EROFS, "Dateisystem nur lesbar")])
def test_catalog_install_into_a_read_only_folder(tmp_path, shared_catalogs, read_only, code, reason):
    dest = tmp_path / "kataloge"
    dest.mkdir()
    read_only(dest, code)
    with pytest.raises(CatalogError, match=rf"nicht beschreibbar: .*\({reason}\)"):
        install_catalogs([shared_catalogs / SOURCES["basethreats"].path], dest)
    assert list(dest.iterdir()) == []


def test_catalog_download_on_a_full_disk(tmp_path, shared_catalogs, disk_full):
    source = SOURCES["basethreats"]
    dest = tmp_path / "kataloge"
    disk_full()
    with pytest.raises(CatalogError) as caught:
        download_catalogs(dest, urls={"basethreats": source.location(shared_catalogs).as_uri()}, keys=["basethreats"])
    assert str(caught.value).startswith("Download fehlgeschlagen, nichts wurde installiert:")
    assert "(Datenträger voll)" in str(caught.value)
    assert [p for p in dest.rglob("*") if p.is_file()] == []


def test_a_cache_that_cannot_be_written_is_not_used_and_leaves_nothing(tmp_path, shared_catalogs, monkeypatch):
    import grundschutz.catalog.loading as loading

    def half_then_full(value, handle, *args, **kwargs):
        handle.write(b"\x80\x05" * 64)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(loading.pickle, "dump", half_then_full)
    cache = tmp_path / "cache"
    catalog = load_catalog(shared_catalogs, cache_dir=cache)
    assert not catalog.from_cache and len(catalog.kompendium.bausteine) == 111
    assert catalog.cache_file is None and list(cache.iterdir()) == []


# --------------------------------------------------------------------------- diff, the command reference


def test_diff_exporting_a_revision_on_a_full_disk(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(SMALL, repo / "bewertung")
    git = ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "Stand"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    monkeypatch.chdir(repo)
    monkeypatch.setattr(Path, "write_bytes", _half_then_full)
    result = run("diff", "HEAD", "bewertung")
    failed_cleanly(result, "nicht geschrieben (Datenträger voll)")


def test_the_command_reference_on_a_full_disk(tmp_path, monkeypatch, capsys, disk_full):
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "scripts" / "cli_reference.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    (tmp_path / "docs").mkdir()
    target = tmp_path / script.TARGET
    target.write_text("alt\n", encoding="utf-8")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    disk_full()
    assert script.main([]) == 1
    assert "(Datenträger voll)" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "alt\n"
    assert leftovers(tmp_path) == []
