"""Fault injection on the commands that create or change an assessment folder outside the Excel import
(issue 11, fault suite): ``init`` (starter and ``--from`` a list) and ``portfolio --apply`` on a full disk
and with a read-only file. Each asserts a German error naming the path, exit code 1, no traceback, the
folder unchanged (or not created) and no temporary file left. The faults are those of
``conftest.py`` (monkeypatched writes that stop half-way, a failing ``fsync``, refused creation)."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from faults.test_file_faults import REPO, failed_cleanly, leftovers, run

EXAMPLES = REPO / "examples" / "inventar"
PORTFOLIO = ("krz-lemgo", "auental", "bergheide", "eichenbrueck")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes (the lock file aside: it stays by design)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".grundschutz.lock")}


def test_init_on_a_full_disk_leaves_no_assessment(tmp_path, disk_full):
    """``init`` writes its five starter files with ``replace_files``: a full disk while staging them leaves
    no file of an assessment behind, and a second try on a disk with space works."""
    target = tmp_path / "neu"
    disk_full()
    failed_cleanly(run("init", target), "nicht geschrieben (Datenträger voll)")
    assert snapshot(target) == {} and leftovers(target) == []


def test_init_from_a_list_on_a_full_disk_leaves_no_assessment(tmp_path, disk_full):
    """``init --from``: the files are written and validated in a temporary folder first; a full disk there
    leaves neither the folder's files nor the temporary folder."""
    target = tmp_path / "musterstadt"
    inventory = tmp_path / "anwendungen.xlsx"
    shutil.copyfile(EXAMPLES / "anwendungen.xlsx", inventory)
    disk_full()
    result = run("init", target, "--from", inventory, "--map", EXAMPLES / "mapping.yaml")
    failed_cleanly(result, "nicht geschrieben (Datenträger voll)")
    assert not target.exists() or snapshot(target) == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anwendungen.xlsx"] + (["musterstadt"] if target.exists()
                                                                                 else [])


def _land(tmp_path: Path) -> Path:
    """The KRZ and its three municipalities of ``assessments/``, with the KRZ's generated rows removed."""
    land = tmp_path / "land"
    for name in PORTFOLIO:
        shutil.copytree(REPO / "assessments" / name, land / name, ignore=shutil.ignore_patterns(".grundschutz*"))
    needs = land / "krz-lemgo" / "needs.csv"
    needs.write_text("\n".join(needs.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    return land


def test_portfolio_apply_on_a_full_disk_changes_nothing(tmp_path, disk_full):
    """``portfolio --apply`` writes needs.csv of the provider with ``replace_files`` under the lock."""
    land = _land(tmp_path)
    before = snapshot(land)
    disk_full()
    result = run("portfolio", land, "--apply", "-j", "1")
    failed_cleanly(result, "needs.csv: nicht geschrieben (Datenträger voll)")
    assert snapshot(land) == before and leftovers(land) == []


def test_portfolio_apply_to_a_read_only_needs_file_changes_nothing(tmp_path, read_only):
    """A read-only needs.csv of the provider is refused before anything is written; so is a read-only
    folder of the provider (the lock and the staged file cannot be created)."""
    land = _land(tmp_path)
    before = snapshot(land)
    read_only(land / "krz-lemgo", errno.EROFS)
    result = run("portfolio", land, "--apply", "-j", "1")
    failed_cleanly(result, "krz-lemgo", "Dateisystem nur lesbar")
    assert snapshot(land) == before and leftovers(land) == []


def test_portfolio_output_on_a_full_disk(tmp_path, disk_full):
    """``portfolio -o`` writes each output atomically: a full disk leaves no file."""
    land = _land(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    disk_full()
    result = run("portfolio", land, "-j", "1", "-o", out / "portfolio.html")
    failed_cleanly(result, "portfolio.html: nicht geschrieben (Datenträger voll)")
    assert list(out.iterdir()) == []
