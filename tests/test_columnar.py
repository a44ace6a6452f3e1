"""The fast paths for large assessments give exactly what the plain paths give.

- The columnar reader (:mod:`grundschutz.io.columnar`) reads a clean folder
  into the same objects, dependencies, needs and overrides as the row reader
  (:mod:`grundschutz.io.tables`), in the same order; it also takes the harmless
  irregularities people's files have (BOM, ``;``, blank lines, short rows,
  spaces, quoted line breaks), and it refuses -- so that the row reader
  reports it -- every file the row reader has a problem with.
- The numpy index and scipy's strongly connected components, used from
  :data:`~grundschutz.model.assessment.LARGE_GRAPH` edges on, give the same
  index, the same components and the same propagation as the pure-Python ones;
  so does the propagation front by front (:mod:`grundschutz.method.fronts`).
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import sys
from pathlib import Path

import pytest
from conftest import HAAN, SMALL, problems_of
from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY_SETTINGS, assessments, snapshot

from grundschutz import read_assessment
from grundschutz.io.columnar import read_core_columnar
from grundschutz.io.settings import parse_settings
from grundschutz.io.tables import REQUIRED_TABLES, build_assessment
from grundschutz.io.text import read_csv_table
from grundschutz.method import fronts, graph, propagation
from grundschutz.method.propagation import propagate
from grundschutz.model.assessment import DependencyColumns, ObjectColumns

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def row_reader(folder: Path):
    """The assessment of ``folder`` as the row reader builds it (no optional files)."""
    settings, problems = parse_settings((folder / "assessment.yaml").read_text(encoding="utf-8"))
    tables = {name: read_csv_table(folder / f"{name}.csv") for name in REQUIRED_TABLES}
    core = build_assessment(settings, tables, str(folder), problems)
    assert not problems, problems
    return settings, core.assessment


def assert_same(fast, rows) -> None:
    assert isinstance(fast.objects, ObjectColumns) and isinstance(fast.dependencies, DependencyColumns)
    assert list(fast.objects) == list(rows.objects)
    assert [fast.objects[i] for i in fast.objects] == [rows.objects[i] for i in rows.objects]
    assert fast.dependencies == rows.dependencies and list(fast.dependencies) == list(rows.dependencies)
    assert fast.needs == rows.needs and fast.overrides == rows.overrides
    assert fast == rows


@pytest.fixture(scope="module")
def synthetic_folder(tmp_path_factory) -> Path:
    """A synthetic landscape of 3,000 objects (``benchmarks/synthetic.py``): cycles, groups, overrides."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from synthetic import write_synthetic
    finally:
        sys.path.remove(str(BENCHMARKS))
    return write_synthetic(tmp_path_factory.mktemp("synthetic"), 3000, seed=3)


@pytest.mark.parametrize("name", ["haan", "small", "synthetic"])
def test_columnar_reader_reads_what_the_row_reader_reads(name, synthetic_folder, monkeypatch):
    folder = {"haan": HAAN, "small": SMALL, "synthetic": synthetic_folder}[name]
    settings, rows = row_reader(folder)
    assert_same(read_core_columnar(folder, settings, str(folder)), rows)
    # the numpy check for self-dependencies and doubled edges agrees
    monkeypatch.setattr("grundschutz.io.columnar.LARGE_GRAPH", 0)
    assert_same(read_core_columnar(folder, settings, str(folder)), rows)
    # so do the cells pandas' C parser splits (large plain files)
    monkeypatch.setattr("grundschutz.io.columnar.C_PARSER_FROM_BYTES", 0)
    assert_same(read_core_columnar(folder, settings, str(folder)), rows)


def test_a_large_plain_file_is_split_by_the_c_parser_and_one_with_quotes_by_the_csv_module(
        synthetic_folder, tmp_path, monkeypatch):
    """The C parser reads plain files from ``C_PARSER_FROM_BYTES`` on (each table once), never a file with a
    quote character (the csv module's quoting rules decide there)."""
    import pandas as pd

    calls = []
    read_csv = pd.read_csv
    monkeypatch.setattr(pd, "read_csv", lambda *args, **kwargs: calls.append(kwargs) or read_csv(*args, **kwargs))
    settings, rows = row_reader(synthetic_folder)
    monkeypatch.setattr("grundschutz.io.columnar.C_PARSER_FROM_BYTES", 0)
    assert_same(read_core_columnar(synthetic_folder, settings, str(synthetic_folder)), rows)
    assert len(calls) == 2 and all(kwargs["engine"] == "c" for kwargs in calls)
    quoted = tmp_path / "quoted"
    shutil.copytree(synthetic_folder, quoted)
    path = quoted / "objects.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",building,", ',"building",'), encoding="utf-8")
    calls.clear()
    assert_same(read_core_columnar(quoted, settings, str(quoted)), row_reader(quoted)[1])
    assert len(calls) == 1  # dependencies.csv only


def test_read_assessment_takes_the_columnar_reader_for_a_clean_folder():
    assessment = read_assessment(HAAN)
    assert isinstance(assessment.objects, ObjectColumns)
    assert assessment.check_records and assessment.scenarios  # the optional files are read as before


def _variant(tmp_path: Path, change) -> Path:
    folder = tmp_path / "bewertung"
    shutil.copytree(SMALL, folder)
    (folder / "expected-needs.csv").unlink()
    for name in ("objects.csv", "dependencies.csv"):
        path = folder / name
        path.write_bytes(change(name, path.read_text(encoding="utf-8")).encode("utf-8"))
    return folder


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def _semicolons(text: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(csv.reader(io.StringIO(text)))
    return out.getvalue()


HARMLESS = {
    "semicolons and BOM": lambda name, text: "\ufeff" + _semicolons(text),
    "CRLF": lambda name, text: text.replace("\n", "\r\n"),
    "blank lines": lambda name, text: text.replace("\n", "\n\n", 3) + "\n\n",
    "short rows": lambda name, text: "\n".join(line.rstrip(",") for line in _lines(text)) + "\n",
    "empty cells beyond the header": lambda name, text: "\n".join(line + ",," for line in _lines(text)),
    "spaces around cells": lambda name, text: text.replace(",", " , ").replace("\n", " \n"),
    "upper-case header": lambda name, text: text.split("\n", 1)[0].upper() + "\n" + text.split("\n", 1)[1],
    "quoted line break": lambda name, text: text.replace(
        ",,\n", ',"eine\nzweite Zeile",\n', 1) if name == "dependencies.csv" else text,
    "columns in another order": lambda name, text: "\n".join(
        ",".join(reversed(line.split(","))) for line in _lines(text)) + "\n",
    "optional columns missing": lambda name, text: "\n".join(
        ",".join(line.split(",")[:2]) for line in _lines(text)) + "\n" if name == "dependencies.csv" else text,
}


@pytest.mark.parametrize("parser", ["csv module", "C parser"])
@pytest.mark.parametrize("change", HARMLESS.values(), ids=HARMLESS.keys())
def test_columnar_reader_takes_harmless_irregularities(tmp_path, change, parser, monkeypatch):
    if parser == "C parser":  # it reads the plain files; what it would read otherwise, the csv module reads
        monkeypatch.setattr("grundschutz.io.columnar.C_PARSER_FROM_BYTES", 0)
    folder = _variant(tmp_path, change)
    settings, rows = row_reader(folder)
    assert_same(read_core_columnar(folder, settings, str(folder)), rows)
    assert read_assessment(folder) == rows


#: Files with a problem the row reader reports: the columnar reader must refuse each of them.
PROBLEMS = {
    "doubled id": lambda name, text: text + "GP-1,process,Doppelt,,,\n" if name == "objects.csv" else text,
    "empty id": lambda name, text: text + ",process,Ohne ID,,,\n" if name == "objects.csv" else text,
    "unknown type": lambda name, text: text.replace("GP-1,process", "GP-1,prozesschen") if name == "objects.csv"
    else text,
    "line break in an id": lambda name, text: text + '"X\nY",server,Umbruch,,,\n' if name == "objects.csv"
    else text,
    "tag without a name": lambda name, text: text.replace("source=annahme", "=annahme"),
    "count 0": lambda name, text: text.replace("GP-1,process,Meldewesen,,,", "GP-1,process,Meldewesen,,,0"),
    "reserved id": lambda name, text: text + "IV,server,Kein Verbund,,,\n" if name == "objects.csv" else text,
    "cells beyond the header": lambda name, text: text.replace("GP-1,APP-1,,", "GP-1,APP-1,,,extra"),
    "unknown object": lambda name, text: text + "GP-1,NIX,,\n" if name == "dependencies.csv" else text,
    "empty object": lambda name, text: text + ",APP-1,,\n" if name == "dependencies.csv" else text,
    "self-dependency": lambda name, text: text + "APP-1,APP-1,,\n" if name == "dependencies.csv" else text,
    "doubled edge": lambda name, text: text + "GP-1,APP-1,,\n" if name == "dependencies.csv" else text,
    "control character": lambda name, text: text.replace("Meldewesen", "Melde\x07wesen"),
    "unknown column": lambda name, text: text.replace("note", "notiz"),
    "unclosed quote": lambda name, text: text + 'GP-2,APP-1,"offen,\n' if name == "dependencies.csv" else text,
}


@pytest.mark.parametrize("large", [False, True], ids=["python", "numpy and C parser"])
@pytest.mark.parametrize("change", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_columnar_reader_refuses_what_the_row_reader_reports(tmp_path, change, large, monkeypatch):
    if large:
        monkeypatch.setattr("grundschutz.io.columnar.LARGE_GRAPH", 0)
        monkeypatch.setattr("grundschutz.io.columnar.C_PARSER_FROM_BYTES", 0)
    folder = _variant(tmp_path, change)
    settings, _ = parse_settings((folder / "assessment.yaml").read_text(encoding="utf-8"))
    assert read_core_columnar(folder, settings, str(folder)) is None
    assert problems_of(folder)


def test_columnar_reader_refuses_a_problem_in_needs(tmp_path):
    folder = _variant(tmp_path, lambda name, text: text)
    (folder / "needs.csv").write_text((folder / "needs.csv").read_text(encoding="utf-8") + "NIX,hoch,,,,,,\n",
                                      encoding="utf-8")
    settings, _ = parse_settings((folder / "assessment.yaml").read_text(encoding="utf-8"))
    assert read_core_columnar(folder, settings, str(folder)) is None
    assert problems_of(folder) == ["needs.csv, Zeile 9, Spalte 'object', Wert 'NIX': unbekannte Objekt-ID"]


@PROPERTY_SETTINGS
@given(assessments())
def test_large_graph_paths_give_the_same_index_components_and_propagation(assessment):
    small_index = graph.build_index(assessment)
    small_components = graph._tarjan(small_index)
    expected = snapshot(propagate(assessment))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(graph, "LARGE_GRAPH", 0)
        large_index = graph.build_index(assessment)
        assert large_index == small_index
        components = graph._scipy_components(large_index)
        assert components is not None
        assert sorted(map(tuple, components)) == sorted(map(tuple, small_components))
        order = {member: k for k, members in enumerate(components) for member in members}
        for b, dependents in enumerate(large_index.dependents):  # every component after its dependents
            assert all(order[a] <= order[b] for a, _ in dependents)
        assert snapshot(propagate(assessment)) == expected


def test_large_graph_paths_on_a_synthetic_landscape(synthetic_folder, monkeypatch):
    assessment = read_assessment(synthetic_folder)
    expected = snapshot(propagate(assessment))
    assert expected["cycles"] and expected["cumulations"] and expected["distributions"]
    monkeypatch.setattr(graph, "LARGE_GRAPH", 0)
    assert snapshot(propagate(assessment)) == expected


def test_dependency_columns_are_a_sequence_equal_to_the_tuple(synthetic_folder):
    dependencies = read_assessment(synthetic_folder).dependencies
    plain = tuple(dependencies)
    k = random.Random(1).randrange(len(plain))
    assert dependencies[k] == plain[k] and dependencies[-1] == plain[-1]
    assert dependencies[5:9] == plain[5:9]
    assert dependencies == plain and plain == dependencies and dependencies != plain[:-1]


def test_large_graph_propagation_runs_front_by_front(synthetic_folder, tmp_path, monkeypatch):
    """The propagation of a large graph runs front by front (``method/fronts.py``) for every basic value and
    gives what the plain pass gives: on the synthetic landscape (cycles, cumulation, overrides,
    Verteilungseffekt, single points of failure) and with confidentiality lowered only in the redundancy
    group ``assessment.yaml`` documents (BSI-Standard 200-2, 8.2)."""
    from test_distribution import split

    folders = [synthetic_folder, split(tmp_path / "split")]
    settled = []
    real = fronts.Fronts.settle
    monkeypatch.setattr(graph, "LARGE_GRAPH", 0)
    monkeypatch.setattr(fronts.Fronts, "settle", lambda self, *args: settled.append(1) or real(self, *args))
    for folder in folders:
        assessment = read_assessment(folder)
        fast = snapshot(propagate(assessment))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(propagation._State, "fronts", property(lambda self: None))
            assert snapshot(propagate(assessment)) == fast
    assert len(settled) == 3 * len(folders)
    documented = propagate(read_assessment(folders[1]))
    assert documented.distributions and documented.shared


def test_more_fronts_than_the_limit_take_the_plain_pass(synthetic_folder, monkeypatch):
    """A graph of more fronts than ``MAX_FRONTS`` (a long chain) is propagated by the plain pass, with the
    same result."""
    assessment = read_assessment(synthetic_folder)
    expected = snapshot(propagate(assessment))
    monkeypatch.setattr(graph, "LARGE_GRAPH", 0)
    monkeypatch.setattr(fronts, "MAX_FRONTS", 3)
    monkeypatch.setattr(fronts.Fronts, "settle", lambda *args: pytest.fail("front by front"))
    assert snapshot(propagate(assessment)) == expected


def test_what_a_paused_collector_saw_created_stays_collectable_and_frozen_objects_stay_frozen():
    """``paused_gc`` hands what was created to the oldest generation without a collection; cyclic garbage is
    still found; a process's own frozen objects are not unfrozen."""
    import gc

    from grundschutz.model.bulk import paused_gc

    class Node:
        pass

    was_enabled = gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        cycle = Node()
        cycle.me = cycle
        young = [Node() for _ in range(1000)]
    assert gc.isenabled() == was_enabled and gc.get_count()[0] < 1000
    del cycle, young
    assert gc.collect() >= 1  # the cycle
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            _ = [Node() for _ in range(10)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


_CELL = st.text(alphabet=["a", "B", "1", "-", " ", ",", ";", '"', "\t", "ä", "\r", "\xa0"], max_size=6)
_TYPE = st.sampled_from(["process", "application", "server", " server", "room", "kiste"])


@st.composite
def csv_folders(draw) -> dict[str, bytes]:
    """``objects.csv`` and ``dependencies.csv`` as bytes, mostly clean, with what people's files have: another
    separator, CRLF, a BOM, blank lines, short and long rows, spaces, quotes, stray separators in cells, and
    now and then a problem (an unknown type, a doubled id or edge, a self-dependency)."""
    delimiter = draw(st.sampled_from([",", ";"]))
    end = draw(st.sampled_from(["\n", "\r\n"]))

    def table(header: list[str], rows: list[list[str]]) -> bytes:
        lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
        for _ in range(draw(st.integers(0, 2))):  # blank or whitespace lines anywhere after the header
            lines.insert(draw(st.integers(1, len(lines))),
                         draw(st.sampled_from(["", " ", "\xa0", delimiter * 3, f" {delimiter}\t"])))
        text = end.join(lines) + draw(st.sampled_from([end, "", end + end]))
        return (draw(st.sampled_from(["", "\ufeff"])) + text).encode("utf-8")

    ids = draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=5, unique=True))
    written = {i: draw(st.sampled_from([i, i, i, f" {i}", f"{i} "])) for i in ids}
    plain = draw(st.booleans())  # half of the examples without quotes or stray separators in the cells
    cell = st.text(alphabet=["a", "B", "1", "-", " ", "ä"], max_size=6) if plain else _CELL
    object_rows = [[written[i], draw(_TYPE), draw(cell), draw(cell), "", ""][:draw(st.integers(3, 7))]
                   for i in ids + draw(st.lists(st.sampled_from(ids), max_size=1))]  # sometimes an id twice
    edges = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6, unique=True))
    edge_rows = [[written[a], written[b], "", draw(cell)][:draw(st.integers(2, 5))] for a, b in edges]
    return {"objects.csv": table(["id", "type", "name", "description", "tags", "count"], object_rows),
            "dependencies.csv": table(["object", "depends_on", "redundancy_group", "note"], edge_rows)}


@PROPERTY_SETTINGS
@given(csv_folders())
def test_the_c_parser_splits_cells_as_the_csv_module_does(files):
    """Whatever the file, the columnar reader gives the same with and without pandas' C parser (which hands
    over to the csv module where they could differ), and what it reads is what the row reader reads."""
    import tempfile

    from grundschutz.io import columnar

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        (folder / "assessment.yaml").write_text("name: Zellen\n", encoding="utf-8")
        (folder / "needs.csv").write_text("object,confidentiality,integrity,availability\n", encoding="utf-8")
        for name, data in files.items():
            (folder / name).write_bytes(data)
        settings, _ = parse_settings("name: Zellen\n")
        saved = columnar.C_PARSER_FROM_BYTES
        try:
            columnar.C_PARSER_FROM_BYTES = 0
            with_c_parser = read_core_columnar(folder, settings, str(folder))
        finally:
            columnar.C_PARSER_FROM_BYTES = saved
        with_csv_module = read_core_columnar(folder, settings, str(folder))
        assert with_c_parser == with_csv_module
        if with_csv_module is not None:
            assert_same(with_csv_module, row_reader(folder)[1])
