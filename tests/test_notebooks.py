"""The notebooks in notebooks/ run top to bottom against the installed package.

They are stored without outputs; here nbclient executes each with an
ipykernel kernel (working directory notebooks/, catalogs from the shared
fixture through GRUNDSCHUTZ_CATALOGS) and the tests look at what the cells
displayed: tables, the HTML of results, figures as PNG.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NAMES = ["01-erste-schritte.ipynb", "02-teleheimarbeit.ipynb", "03-krz-austausch.ipynb",
         "04-krz-portfolio.ipynb"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def run_notebook(shared_catalogs, monkeypatch):
    monkeypatch.setenv("GRUNDSCHUTZ_CATALOGS", str(shared_catalogs))
    monkeypatch.delenv("MPLBACKEND", raising=False)

    def run(name: str):
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
        return nb

    return run


def _outputs(nb, mime: str) -> list[str]:
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                found.append(data[mime])
    return found


def _cell_with(nb, text: str):
    return next(c for c in nb.cells if c.cell_type == "code" and text in c.source)


def _mimes(cell) -> set[str]:
    return {m for o in cell.outputs for m in o.get("data", {})}


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs stored"
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "._" not in sources.replace("_repr", ""), f"{name} uses a private name"


def test_01_erste_schritte(run_notebook):
    nb = run_notebook("01-erste-schritte.ipynb")
    assert "text/html" in _mimes(_cell_with(nb, "result = gs.propagate(assessment)"))
    derivation = _cell_with(nb, 'result.derivation("R-13"')
    html = next(o["data"]["text/html"] for o in derivation.outputs if "text/html" in o.get("data", {}))
    assert "R-13" in html and "Pfad" in html
    assert "Schutzbedarfsfeststellung" in _outputs(nb, "text/html")[0]
    analysis = _cell_with(nb, "analysis = gs.analyse(assessment, catalog)")
    assert "IT-Grundschutz-Check" in analysis.outputs[0]["data"]["text/html"]
    for call in ("dependency_graph_figure", "needs_heatmap_figure", "coverage_figure", "risk_matrix_figure"):
        assert "image/png" in _mimes(_cell_with(nb, call)), f"{call} displayed no figure"
    printed = "".join(o.get("text", "") for o in _cell_with(nb, "render_explanation").outputs)
    assert printed.startswith("R-13")


def test_02_teleheimarbeit(run_notebook):
    nb = run_notebook("02-teleheimarbeit.ipynb")
    verdicts = _cell_with(nb, "verdicts = verdict_frame(result)")
    assert "text/html" in _mimes(verdicts)
    assert "image/png" in _mimes(_cell_with(nb, "plots.scenario_figure(result)"))
    assert "image/png" in _mimes(_cell_with(nb, "plots.dependency_graph_figure(result.result"))
    printed = "".join(o.get("text", "") for o in _cell_with(nb, "for verdict in result.verdicts").outputs)
    assert "APP-" in printed


def test_03_krz_austausch_leaves_the_worked_example_unchanged(run_notebook, haan):
    before = _digest(haan)
    nb = run_notebook("03-krz-austausch.ipynb")
    assert _digest(haan) == before
    printed = "".join(o.get("text", "") for o in _cell_with(nb, "apply_import(plan)").outputs)
    assert printed.startswith("3 Zeilen vom KRZ")
    plan = "".join(o.get("text", "") for o in _cell_with(nb, "render_plan(plan)").outputs)
    assert "IT-Grundschutz-Check (check.csv)" in plan
    final = _cell_with(nb, "after = check_frame")
    assert "KRZ Lemgo" in final.outputs[0]["data"]["text/html"]


def test_04_krz_portfolio_leaves_the_worked_example_unchanged(run_notebook):
    assessments = REPO / "assessments"
    before = _digest(assessments)
    nb = run_notebook("04-krz-portfolio.ipynb")
    assert _digest(assessments) == before
    printed = "".join(o.get("text", "") for o in _cell_with(nb, "print(headline(portfolio))").outputs)
    read = sum(1 for d in assessments.iterdir() if (d / "assessment.yaml").is_file()) - 1  # all but the KRZ's own
    assert printed.startswith(f"{read} Bewertungen gelesen: 4 Kommunen nutzen 5 gemeinsame Zielobjekte von krz-lemgo")
    frame = _cell_with(nb, "frame = gs.portfolio_frame(portfolio)").outputs[0]["data"]["text/html"]
    assert "DL-03" in frame and "Verfügbarkeit für viele Kommunen" in frame
    assert "image/png" in _mimes(_cell_with(nb, "portfolio_heatmap_figure(portfolio)"))
    applied = "".join(o.get("text", "") for o in _cell_with(nb, "apply_portfolio(copy)").outputs)
    assert "(geschrieben):\n  DL-01: neu" in applied and "Keine Änderungen:" in applied
    sheets = _cell_with(nb, "load_workbook(workbook).sheetnames").outputs[0]["data"]["text/plain"]
    assert sheets == "['Übersicht', 'DL-01', 'DL-02', 'DL-03', 'DL-04', 'DL-05', 'Kumulation']"
