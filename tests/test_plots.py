"""Figures: each function returns a Figure whose artists carry the data they show."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import analysed

from grundschutz.cli.report import plot
from grundschutz.io import read_assessment
from grundschutz.method.propagation import propagate
from grundschutz.model import BASIC_VALUES, BasicValue
from grundschutz.views import plots

SMALL = Path(__file__).parent / "data" / "small"


@pytest.fixture(scope="module")
def small():
    return propagate(read_assessment(SMALL))


def _node_points(figure) -> int:
    return sum(len(c.get_offsets()) for ax in figure.axes for c in ax.collections if c.get_gid() == "nodes")


def _collection(figure, gid):
    found = [c for ax in figure.axes for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid}, found {len(found)}"
    return found[0]


# --------------------------------------------------------------------------- dependency graph


def test_graph_draws_one_node_per_object_when_not_collapsed(small):
    figure = plots.dependency_graph_figure(small, collapse=False)
    assert type(figure).__name__ == "Figure"
    assert _node_points(figure) == len(small.assessment.objects)
    assert figure.grundschutz["edges"] == len({(d.source, d.target) for d in small.assessment.dependencies})


def test_graph_colours_nodes_by_highest_need(small):
    figure = plots.dependency_graph_figure(small, collapse=False)
    highest = plots.highest_levels(small)
    from matplotlib.colors import to_hex

    colours = Counter()
    for ax in figure.axes:
        for c in ax.collections:
            if c.get_gid() == "nodes":
                colours.update(to_hex(rgba) for rgba in c.get_facecolors())
    expected = Counter(plots.LEVEL_COLOURS[level].lower() for level in highest.values())
    assert colours == expected


def test_graph_highlights_the_explanation_path_of_an_object(small):
    derivation = small.derivation("DNS-1", BasicValue.INTEGRITY)
    assert derivation.path == ("APP-1", "SRV-1", "DC-1", "DNS-1")
    figure = plots.dependency_graph_figure(small, object_id="DNS-1", basic_value="integrity", collapse=False)
    path = _collection(figure, "path-integrity")
    assert len(path.get_paths()) == 3
    assert figure.grundschutz["paths"] == {"integrity": derivation.path}
    assert not [c for ax in figure.axes for c in ax.collections if c.get_gid() == "path-availability"]
    assert len(_collection(figure, "selected").get_offsets()) == 1


def test_graph_draws_the_paths_of_all_three_basic_values_by_default(haan_analysis):
    figure = plots.dependency_graph_figure(haan_analysis, object_id="R-13")
    for value in BASIC_VALUES:
        d = haan_analysis.propagation.derivation("R-13", value)
        if len(d.path) > 1:
            assert len(_collection(figure, f"path-{value.value}").get_paths()) == len(d.path) - 1


def test_haan_graph_is_collapsed_to_a_readable_size_and_keeps_every_object(haan_analysis):
    objects = haan_analysis.assessment.objects
    assert len(objects) >= 150
    figure = plots.dependency_graph_figure(haan_analysis)
    info = figure.grundschutz
    assert info["objects"] == len(objects)
    assert info["nodes"] < 0.8 * len(objects)
    assert _node_points(figure) == info["nodes"]
    layout = plots.graph_layout(haan_analysis.propagation)
    assert sum(len(n["members"]) for n in layout["nodes"].values()) == len(objects)
    # applications stay single (they are known by name); the systems layer is bundled
    apps = [o for o in objects.values() if o.type.value == "application"]
    assert all(not layout["nodes"][a.id]["group"] for a in apps)
    assert any(n["group"] and n["type"] == "server" for n in layout["nodes"].values())


def test_graph_path_objects_stay_single_in_a_collapsed_layer(haan_analysis):
    figure = plots.dependency_graph_figure(haan_analysis, object_id="R-13", collapse=True)
    layout = plots.graph_layout(haan_analysis.propagation, collapse=True, keep=haan_analysis.propagation
                                .derivation("R-13", BasicValue.CONFIDENTIALITY).path)
    assert not layout["nodes"]["R-13"]["group"]
    assert figure.grundschutz["paths"]["confidentiality"][-1] == "R-13"


def test_graph_rejects_an_unknown_object(small):
    from grundschutz.model.errors import UnknownObjectError

    with pytest.raises(UnknownObjectError):
        plots.dependency_graph_figure(small, object_id="NOPE")


# --------------------------------------------------------------------------- heatmap


def test_heatmap_has_one_row_per_application_and_the_level_codes(haan_analysis):
    figure = plots.needs_heatmap_figure(haan_analysis, sort="id")
    p = haan_analysis.propagation
    apps = sorted(o.id for o in haan_analysis.assessment.objects.values() if o.type.value == "application")
    rows = []
    for ax in figure.axes:
        if ax.images:
            rows += ax.images[0].get_array().tolist()
    assert len(rows) == len(apps)
    assert all(len(r) == 3 for r in rows)
    expected = [[p.levels[v][p.index.position[a]] for v in BASIC_VALUES] for a in apps]
    assert rows == expected
    assert figure.grundschutz["objects"] == apps


def test_heatmap_sorted_by_need_puts_the_highest_first(haan_analysis):
    figure = plots.needs_heatmap_figure(haan_analysis)
    levels = figure.grundschutz["levels"]
    highest = [max(r) for r in levels]
    assert highest == sorted(highest, reverse=True)


def test_heatmap_of_the_small_example_has_one_panel(small):
    figure = plots.needs_heatmap_figure(small)
    images = [ax.images[0] for ax in figure.axes if ax.images]
    assert len(images) == 1
    assert images[0].get_array().shape == (4, 3)


# --------------------------------------------------------------------------- check coverage


def _bar_totals(ax) -> list[float]:
    """The length of the stacked bars of ``ax`` per row, top row first (bars are rectangles of collections)."""
    totals: dict[float, float] = {}
    for collection in ax.collections:
        for path in collection.get_paths():
            (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
            y = round((y0 + y1) / 2, 6)
            totals[y] = totals.get(y, 0.0) + (x1 - x0)
    return [totals[y] for y in sorted(totals)]


def test_coverage_stacked_bars_add_up_to_the_check_counts(haan_analysis):
    from grundschutz.views.requirements_tables import coverage_records

    check = haan_analysis.check
    figure = plots.coverage_figure(haan_analysis, normalize=False)
    by_baustein, by_level = figure.axes[0], figure.axes[1]
    records = {r["baustein"]: r["total"] for r in coverage_records(check, ("baustein",))}
    expected = [records[b] for b in figure.grundschutz["bausteine"]]
    assert _bar_totals(by_baustein) == pytest.approx(expected)
    assert sum(_bar_totals(by_level)) == len(check)
    assert figure.grundschutz["total"] == len(check)
    # one bar segment per status and Baustein, one legend entry per status
    statuses = Counter({c.get_gid(): len(c.get_paths()) for c in by_baustein.collections})
    assert statuses == {f"status-{s}": len(expected) for s in check.counts()}
    assert by_baustein.get_legend_handles_labels()[1] == list(check.counts())


def test_coverage_in_percent_fills_every_baustein_bar(haan_analysis):
    figure = plots.coverage_figure(haan_analysis)
    assert _bar_totals(figure.axes[0]) == pytest.approx([100.0] * len(figure.grundschutz["bausteine"]))


def test_coverage_needs_a_catalog(small):
    from grundschutz.model.errors import GrundschutzError

    with pytest.raises(GrundschutzError, match="Katalog"):
        plots.coverage_figure(analysed(SMALL))


# --------------------------------------------------------------------------- risk matrix


def test_risk_matrix_counts_per_cell(haan_analysis):
    from grundschutz.method.risk import analyse_risks
    from grundschutz.views.risk_tables import risk_records

    risks = analyse_risks(haan_analysis)
    figure = plots.risk_matrix_figure(risks)
    ax = figure.axes[0]
    shown = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("count-")}
    assert len(shown) == 16
    impacts, frequencies = figure.grundschutz["impacts"], figure.grundschutz["frequencies"]
    expected = Counter((r["impact"], r["frequency"]) for r in risk_records(risks) if r["impact"] and r["frequency"])
    for i, impact in enumerate(impacts):
        for j, frequency in enumerate(frequencies):
            n = expected.get((impact, frequency), 0)
            assert shown[f"count-{i}-{j}"] == (str(n) if n else "–")
            assert figure.grundschutz["grid"][i][j] == n
    assert sum(map(sum, figure.grundschutz["grid"])) == sum(expected.values()) > 0


def test_risk_matrix_draws_counts_over_the_category_colours():
    categories = [["gering"] * 4, ["gering", "gering", "mittel", "hoch"], ["mittel", "mittel", "hoch", "sehr hoch"],
                  ["mittel", "hoch", "sehr hoch", "sehr hoch"]]
    records = [{"frequency": "häufig", "impact": "existenzbedrohend"}] * 3 + [{"frequency": "", "impact": ""}]
    figure = plots.draw_risk_matrix(records, categories, ["selten", "mittel", "häufig", "sehr häufig"],
                                    ["vernachlässigbar", "begrenzt", "beträchtlich", "existenzbedrohend"])
    assert figure.grundschutz["grid"][3][2] == 3
    from matplotlib.colors import to_hex

    cell = next(p for p in figure.axes[0].patches if p.get_gid() == "cell-3-2")
    assert to_hex(cell.get_facecolor()) == plots.RISK_COLOURS["sehr hoch"].lower()
    assert "1 noch ohne Häufigkeit oder Auswirkung" in figure.axes[0].get_title(loc="left")


# --------------------------------------------------------------------------- scenario


def test_scenario_figure_shows_changed_needs_and_blocking_per_application(haan_analysis):
    from grundschutz.views.scenario_tables import scenario_list_records

    analysis = haan_analysis
    names = [s["name"] for s in scenario_list_records(analysis.assessment)]
    assert "teleheimarbeit" in names
    result = analysis.scenario("teleheimarbeit")
    figure = plots.scenario_figure(result)
    assert figure.grundschutz["changed"] == sorted({n.object for n in result.needs})
    expected = Counter()
    for b in result.blocking:
        for app in b.applications:
            expected[app] += 1
    right = figure.axes[1]
    totals = _bar_totals(right)
    assert totals == [float(expected.get(v.application, 0)) for v in result.verdicts]
    assert figure.grundschutz["blocking"] == {v.application: expected.get(v.application, 0) for v in result.verdicts}


# --------------------------------------------------------------------------- output and CLI


def test_figure_bytes_are_png_and_svg(small):
    figure = plots.dependency_graph_figure(small)
    assert plots.figure_bytes(figure, "png").startswith(b"\x89PNG")
    svg = plots.figure_bytes(figure, "svg").decode()
    assert "<svg" in svg
    assert plots.figure_bytes(figure, "svg") == plots.figure_bytes(figure, "svg")


@pytest.fixture()
def run():
    runner = CliRunner()
    return lambda *args: runner.invoke(plot, [str(a) for a in args])


@pytest.mark.parametrize("kind", ["graph", "heatmap", "coverage", "risk"])
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_cli_plot_writes_png_and_svg(run, haan, shared_catalogs, tmp_path, kind, suffix):
    out = tmp_path / f"figure.{suffix}"
    result = run(haan, kind, "-o", out, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    assert result.output == f"Abbildung geschrieben: {out}\n"
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data[:2000]


def test_cli_plot_graph_with_object_and_scenario(run, haan, shared_catalogs, tmp_path):
    out = tmp_path / "path.svg"
    assert run(haan, "graph", "-o", out, "--object", "APP-13").exit_code == 0
    assert "APP-13 PROSOZ" in out.read_text(encoding="utf-8")  # matplotlib keeps drawn text as a comment
    out = tmp_path / "scenario.png"
    result = run(haan, "scenario", "--scenario", "teleheimarbeit", "-o", out, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_cli_plot_errors(run, haan, tmp_path):
    result = run(haan, "graph", "-o", tmp_path / "x.gif")
    assert result.exit_code == 2
    assert "Dateiname muss auf .png oder .svg enden." in result.output
    result = run(haan, "scenario", "-o", tmp_path / "x.png")
    assert result.exit_code == 2
    assert "--scenario NAME" in result.output
    result = run(haan, "graph", "-o", tmp_path / "x.png", "--object", "NOPE")
    assert result.exit_code == 1
    assert result.output == f"Fehler: Zielobjekt 'NOPE' gibt es in {haan} nicht\n"
    assert not (tmp_path / "x.png").exists()
