"""Golden (regression) tests: the outputs of the worked example, exactly as before.

Every command below runs once on ``assessments/haan`` against the official
catalogs (``--catalogs``, fixture ``shared_catalogs``; without them the tests
are skipped, under ``CI=true`` they fail) and its standard output must equal
the file in ``tests/golden/`` byte for byte:

- ``<cmd>.csv``: ``grundschutz <cmd> assessments/haan -f csv`` for assess,
  requirements, model, check, risk and plan;
- ``scenario-<name>.csv``: ``grundschutz scenario assessments/haan <name> -f csv``,
  ``scenario-all.csv`` the same without a name;
- ``assess.txt``: ``grundschutz assess assessments/haan`` (table output);
- ``haan-workbook/``: the cell values of ``grundschutz export assessments/haan
  haan.xlsx``, one file per sheet in workbook order (``NN-<sheet>.tsv``). A
  file starts with ``# sheet: <name>`` and ``# state: visible|hidden`` and has
  one line per row: the row number, a tab, the row's values as a JSON list
  (trailing empty cells dropped; ``null`` is an empty cell, dates are
  ``{"datetime": "..."}``). Only values are compared, not styles, widths,
  validations or document properties. Sheets whose dump is larger than
  512 KiB are stored gzip-compressed (``.tsv.gz``, written with mtime 0, so
  they are reproducible); read them with ``zcat``, and for ``git diff`` set
  ``git config diff.gzip.textconv "gzip -dc"`` (``.gitattributes`` maps them).

The tests use nothing of the package but the command line (``grundschutz.cli.main``
through ``click.testing.CliRunner``) and openpyxl, so they survive restructuring
of the modules behind it.

Masked workbook cells -- the only values that change from one export to the
next (found by exporting twice at different times and diffing the dumps) --
are replaced by a placeholder; the rest of their row is compared:

- ``Übersicht``, column B of the row "Stand (Export)" (B8 today): the export
  time as ``TT.MM.JJJJ hh:mm``, shown as ``<masked: export time>``;
- ``_grundschutz`` (hidden), column B of the row "exported" (B7 today): the
  export time in ISO 8601, shown as ``<masked: export time>``.

Each masked value must still have its format and lie between the start and
the end of the export, so a broken timestamp fails the test. Deliberately not
masked, because they are the same in every run: the toolkit version
(Übersicht "Erstellt mit", ``_grundschutz`` "version"), the fingerprint and the
``sha256:<file>`` sums of the assessment's CSV files in ``_grundschutz`` (they
only change when the example's files change, which must show up here).

Regenerating: ``python -m pytest tests/test_golden.py --update-golden`` (or
``GRUNDSCHUTZ_UPDATE_GOLDEN=1``) rewrites the files that differ and reports each
rewritten file as a skipped test; unchanged files are left alone. Do that only
when a change of behaviour or output is intended (a fix, a new column, a new
catalog edition of the example, a version bump), then review ``git diff
tests/golden`` line by line and commit it together with the change that
caused it. Never regenerate to make a failing test pass without understanding
the difference: that difference is exactly what these tests exist to catch.
Regenerating is refused under ``CI=true``.
"""

from __future__ import annotations

import datetime
import difflib
import gzip
import itertools
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from grundschutz.cli import main

GOLDEN = Path(__file__).parent / "golden"
WORKBOOK_DIR = GOLDEN / "haan-workbook"
#: Sheet dumps larger than this are stored gzip-compressed.
GZIP_ABOVE = 512 * 1024
SCENARIOS = ("teleheimarbeit", "digitale-ratsarbeit", "dms-erechnung", "neue-serverlandschaft")

#: golden file -> arguments after the assessment folder
COMMANDS: dict[str, tuple[str, ...]] = {
    **{f"{command}.csv": (command, "-f", "csv")
       for command in ("assess", "requirements", "model", "check", "risk", "plan")},
    **{f"scenario-{name}.csv": ("scenario", name, "-f", "csv") for name in SCENARIOS},
    "scenario-all.csv": ("scenario", "-f", "csv"),
    "assess.txt": ("assess",),
}

PLACEHOLDER = "<masked: export time>"
#: (sheet, label in column A) -> (format of column B, how to parse it, resolution of the value)
MASKED: dict[tuple[str, str], tuple[str, str, datetime.timedelta]] = {
    ("Übersicht", "Stand (Export)"): (
        r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", "%d.%m.%Y %H:%M", datetime.timedelta(minutes=1)),
    ("_grundschutz", "exported"): (
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "%Y-%m-%dT%H:%M:%S", datetime.timedelta(seconds=1)),
}
DIFF_LINES = 60


# --------------------------------------------------------------------------- helpers


def _invoke(*args) -> bytes:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, f"grundschutz {' '.join(map(str, args))}: exit {result.exit_code}\n{result.output}"
    return result.stdout_bytes


def _short_diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                 f"golden/{name}", f"now/{name}", n=0, lineterm="")
    shown = list(itertools.islice(lines, DIFF_LINES + 1))
    more = "\n[... more differences]" if len(shown) > DIFF_LINES else ""
    return "\n".join(shown[:DIFF_LINES]) + more


def _read_golden(path: Path) -> bytes | None:
    if path.is_file():
        return path.read_bytes()
    packed = path.with_name(path.name + ".gz")
    if packed.is_file():
        return gzip.decompress(packed.read_bytes())
    return None


def _write_golden(path: Path, data: bytes, compress: bool = False) -> bool:
    """Write ``data`` to ``path`` (``path.gz`` if ``compress``) unless it is there already; True if written."""
    if _read_golden(path) == data and (path.with_name(path.name + ".gz").is_file() == compress):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".gz")):
        stale.unlink(missing_ok=True)
    if compress:
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    else:
        path.write_bytes(data)
    return True


def _refuse_update_on_ci() -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail("golden files are not regenerated under CI=true; run --update-golden locally", pytrace=False)


def _json_value(value):
    for kind in (datetime.datetime, datetime.date, datetime.time):
        if isinstance(value, kind):
            return {kind.__name__: value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"timedelta": value.total_seconds()}
    raise TypeError(f"cell value of type {type(value).__name__} not covered by the dump: {value!r}")


def _mask(sheet: str, row: list, exported: tuple[datetime.datetime, datetime.datetime]) -> list:
    """Replace the export time in ``row`` by :data:`PLACEHOLDER` after checking its format and value."""
    if len(row) < 2 or (sheet, row[0]) not in MASKED:
        return row
    pattern, fmt, resolution = MASKED[sheet, row[0]]
    value = row[1]
    if not (isinstance(value, str) and re.fullmatch(pattern, value)):
        return row  # left as it is: the comparison shows what is wrong
    start, end = exported
    when = datetime.datetime.strptime(value, fmt)
    assert start - resolution < when <= end, f"{sheet}: {row[0]} = {value} is not the export time ({start} .. {end})"
    return [row[0], PLACEHOLDER, *row[2:]]


def _slug(title: str) -> str:
    title = title.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def dump_workbook(path: Path, exported: tuple[datetime.datetime, datetime.datetime]) -> dict[str, str]:
    """The cell values of every sheet as text, keyed by file name (``NN-<sheet>.tsv``)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        dumps = {}
        for number, sheet in enumerate(workbook.worksheets, start=1):
            lines = [f"# sheet: {sheet.title}", f"# state: {sheet.sheet_state}"]
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                row = list(values)
                while row and row[-1] is None:
                    row.pop()
                row = _mask(sheet.title, row, exported)
                lines.append(f"{index}\t{json.dumps(row, ensure_ascii=False, default=_json_value)}")
            dumps[f"{number:02d}-{_slug(sheet.title)}.tsv"] = "\n".join(lines) + "\n"
        return dumps
    finally:
        workbook.close()


def _golden_dumps() -> dict[str, str]:
    found = {}
    if WORKBOOK_DIR.is_dir():
        for path in sorted(WORKBOOK_DIR.iterdir()):
            name = path.name.removesuffix(".gz")
            if name.endswith(".tsv"):
                found[name] = _read_golden(WORKBOOK_DIR / name).decode("utf-8")
    return found


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def exported_workbook(haan, shared_catalogs, tmp_path_factory) -> dict[str, str]:
    """``grundschutz export`` of the worked example, once per module, as its dump."""
    out = tmp_path_factory.mktemp("golden-export") / "haan.xlsx"
    start = datetime.datetime.now().replace(microsecond=0)
    _invoke("export", haan, out, "--catalogs", shared_catalogs)
    end = datetime.datetime.now()
    return dump_workbook(out, (start, end))


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_output_matches_golden(name, haan, shared_catalogs, update_golden):
    command, *rest = COMMANDS[name]
    actual = _invoke(command, haan, *rest, "--catalogs", shared_catalogs)
    path = GOLDEN / name
    if update_golden:
        _refuse_update_on_ci()
        if _write_golden(path, actual):
            pytest.skip(f"golden file rewritten: {path.relative_to(GOLDEN.parent)}; review the diff")
        return
    expected = _read_golden(path)
    assert expected is not None, f"{path} is missing (create it with --update-golden)"
    if actual != expected:
        pytest.fail(f"grundschutz {' '.join((command, 'assessments/haan', *rest))}: output differs from {path.name} "
                    f"(intended? then --update-golden and review the diff)\n"
                    + _short_diff(expected.decode("utf-8", "replace"), actual.decode("utf-8", "replace"), name),
                    pytrace=False)


def test_workbook_matches_golden(exported_workbook, update_golden):
    if update_golden:
        _refuse_update_on_ci()
        written = [name for name, text in exported_workbook.items()
                   if _write_golden(WORKBOOK_DIR / name, text.encode("utf-8"),
                                    compress=len(text.encode("utf-8")) > GZIP_ABOVE)]
        stale = [path for path in WORKBOOK_DIR.iterdir() if path.name.removesuffix(".gz") not in exported_workbook]
        for path in stale:
            path.unlink()
            written.append(f"{path.name} (removed)")
        if written:
            pytest.skip(f"golden workbook dump rewritten in {WORKBOOK_DIR.name}/: {', '.join(written)}; review the diff")
        return
    expected = _golden_dumps()
    assert expected, f"{WORKBOOK_DIR} is empty or missing (create it with --update-golden)"
    problems = []
    if list(expected) != list(exported_workbook):
        problems.append(f"sheets differ:\n  golden: {list(expected)}\n  now:    {list(exported_workbook)}")
    for name in expected.keys() & exported_workbook.keys():
        if expected[name] != exported_workbook[name]:
            problems.append(_short_diff(expected[name], exported_workbook[name], name))
    if problems:
        pytest.fail("the exported workbook differs from tests/golden/haan-workbook "
                    "(intended? then --update-golden and review the diff)\n" + "\n".join(sorted(problems)),
                    pytrace=False)
