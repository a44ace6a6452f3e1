"""Two writers of one assessment folder at the same time, for the OSCAL import (issue 14) and the
portfolio's ``--apply`` (issue 15), as the Excel import is tested in ``test_workbook_faults``.

Both processes make their plan first and are held at the step that writes (a hook prints ``PAUSE``
and waits); then both go on. Under the folder's lock the later writer either refuses, naming what
changed (the OSCAL import: its preview is out of date), or makes its plan again and finds nothing
left to do (the portfolio); nothing written by the first is lost.
"""

from __future__ import annotations

import shutil
import sys

import pytest
from test_oscal import GSPP, _by_component, _write, export, load
from test_portfolio import root  # noqa: F401 - the fixture: a provider and three municipalities

from faults.test_workbook_faults import Child, leftovers, pause_before
from grundschutz.exchange.portfolio import plan_apply, read_portfolio

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

OSCAL_PAUSE = pause_before("grundschutz.exchange.oscal.importing", "apply_oscal_import")


def test_two_oscal_imports_at_the_same_time_one_is_refused(tmp_path, shared_catalogs):
    folder, out = tmp_path / "haan-gspp", tmp_path / "out"
    shutil.copytree(GSPP, folder)
    export(folder, out, shared_catalogs)
    documents = []
    for object_id, control, state in (("SRV-01", "DET.5.4", "implemented"), ("APP-01", "DEV.4.4", "partial")):
        ssp = load(out, "ssp")
        _by_component(ssp, object_id, control)["implementation-status"] = {"state": state,
                                                                          "remarks": f"Prüfung {object_id}"}
        documents.append(_write(ssp, "ssp", tmp_path / f"ssp-{object_id}.json"))
    children = [Child(tmp_path, shared_catalogs, ["oscal", "import", str(folder), str(document), "--apply"],
                      OSCAL_PAUSE) for document in documents]
    for child in children:
        child.wait_for_pause()
    for child in children:
        child.release()
    results = [child.finish() for child in children]
    assert sorted(code for code, _ in results) == [0, 1], results
    won = next(i for i, (code, _) in enumerate(results) if code == 0)
    assert "check.csv: wurde seit der Vorschau geändert; Import bitte erneut ausführen" in results[1 - won][1]
    check = (folder / "check.csv").read_text(encoding="utf-8")
    assert ("Prüfung SRV-01" in check) == (won == 0) and ("Prüfung APP-01" in check) == (won == 1)
    assert leftovers(folder) == []


PORTFOLIO_PAUSE = pause_before("grundschutz.exchange.portfolio.applying", "apply_portfolio",
                               "grundschutz.exchange.portfolio")


def test_two_portfolio_applies_at_the_same_time_write_once(root, tmp_path):  # noqa: F811 - the fixture
    """The later writer makes its plan again under the lock: the first one's rows are there, nothing is left
    to write, and ``needs.csv`` is what one run writes."""
    needs = root / "rz" / "needs.csv"
    before = needs.read_bytes()
    args = ["portfolio", str(root), "--provider", str(root / "rz"), "--apply", "--force", "-j", "1"]
    children = [Child(tmp_path, None, args, PORTFOLIO_PAUSE) for _ in range(2)]
    for child in children:
        child.wait_for_pause()
    for child in children:
        child.release()
    results = [child.finish() for child in children]
    assert [code for code, _ in results] == [0, 0], results
    written = needs.read_bytes()
    assert written != before
    outputs = sorted(output for _, output in results)
    assert sum("(geschrieben)" in output for output in outputs) == 1, outputs
    assert sum("Keine Änderungen: " in output for output in outputs) == 1, outputs
    again = read_portfolio(root, root / "rz", workers=1)
    assert plan_apply(again).changes == () and needs.read_bytes() == written
    assert leftovers(root / "rz") == []
