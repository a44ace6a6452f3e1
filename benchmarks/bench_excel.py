"""Benchmark the Excel exchange: export and import, end to end and against a lean reference.

Run from the repository root (the BSI catalogs must be installed, e.g.
``GRUNDSCHUTZ_CATALOGS=../shared/catalogs`` or ``--catalogs``)::

    python benchmarks/bench_excel.py                     # the worked example + 10,000 objects
    python benchmarks/bench_excel.py --haan-only --repeats 5
    python benchmarks/bench_excel.py --sizes 1000,10000 --no-haan

**The worked example** (``assessments/haan``): whole processes, as the officer
runs them, median of ``--repeats`` runs (wall time, peak RSS of the process):
``grundschutz export assessments/haan X.xlsx``, ``grundschutz import
assessments/haan X.xlsx`` (dry run) and ``grundschutz import COPY X.xlsx
--apply`` with one edited status (into a fresh copy of the folder each time).

**Synthetic assessments** (``synthetic.py``; 10,000 objects give about a
million rows, most of them IT-Grundschutz-Check and Realisierungsplan), each
size in its own process:

- ``grundschutz export`` and ``grundschutz import`` (dry run) as whole
  processes: wall time and peak RSS (the targets of issue 13 are for these);
- in the same process, on one analysis: the workbook writing of
  :func:`export_workbook` against a *lean reference* - XlsxWriter in
  constant-memory mode writing the same rows (the same row functions) with one
  shared format per column and nothing else - and the reading of
  :func:`plan_import` against python-calamine reading every value of the same
  workbook. The ratios (ours / reference) are measured in the same run, so they
  hold on a busy machine, where absolute figures vary by 20-50 %.

Profile a phase with ``--profile export`` or ``--profile import`` (cProfile,
top 25 lines by own time, for the largest size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from synthetic import write_synthetic  # noqa: E402

HAAN = REPO / "assessments" / "haan"


# --------------------------------------------------------------------------- whole processes


def run_process(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time (s) and peak RSS (MiB) of one ``grundschutz`` process, and its output."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "grundschutz", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=env)
    output = process.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"grundschutz {' '.join(args)} failed ({process.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output


def environment(catalogs: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    if catalogs:
        env["GRUNDSCHUTZ_CATALOGS"] = str(Path(catalogs).resolve())
    return env


def edit_one_status(book: Path, target: Path) -> None:
    """Set the first status of the check sheet to another value, as a user would (outside the timing)."""
    import openpyxl

    workbook = openpyxl.load_workbook(book)
    ws = workbook["IT-Grundschutz-Check"]
    cell = ws.cell(2, 7)
    cell.value = "nein" if cell.value != "nein" else "ja"
    workbook.save(target)


def bench_haan(repeats: int, env: dict[str, str]) -> list[tuple[str, float, float]]:
    """Median wall time and RSS of export, import (dry run) and import --apply of the worked example."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-excel-haan-") as temp:
        temp = Path(temp)
        book = temp / "haan.xlsx"
        runs = [run_process(["export", str(HAAN), str(book)], env) for _ in range(repeats)]
        rows.append(("export assessments/haan", *_median(runs)))
        runs = [run_process(["import", str(HAAN), str(book)], env) for _ in range(repeats)]
        rows.append(("import assessments/haan (dry run)", *_median(runs)))
        edited = temp / "bearbeitet.xlsx"
        edit_one_status(book, edited)
        runs = []
        for number in range(repeats):
            copy = temp / f"haan-{number}"
            shutil.copytree(HAAN, copy)
            runs.append(run_process(["import", str(copy), str(edited), "--apply"], env))
            assert "Übernommen" in runs[-1][2], runs[-1][2]
        rows.append(("import assessments/haan --apply", *_median(runs)))
    return rows


def _median(runs) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


# --------------------------------------------------------------------------- the lean reference


def reference_write(analysis, path: Path) -> int:
    """XlsxWriter, constant memory, the same rows as the export, one shared format per column."""
    import xlsxwriter

    from grundschutz.exchange.excel.layout import edition_sheets
    from grundschutz.exchange.excel.rows import sheet_rows
    from grundschutz.exchange.excel.sheets import extra_sheets

    tables = edition_sheets(analysis.assessment.settings.edition)
    plan = [(tables[n], lambda n=n: sheet_rows(analysis, n))
            for n in ("objects", "dependencies", "needs", "modelling", "check")]
    plan += extra_sheets(analysis, ("risks", "plan", "scenarios"))[0]
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    written = 0
    for sheet, rows in plan:
        ws = workbook.add_worksheet(sheet.title[:31])
        keys = [c.key for c in sheet.columns]
        formats = [workbook.add_format({"text_wrap": c.wrap}) for c in sheet.columns]
        ws.write_row(0, 0, [c.header for c in sheet.columns])
        number = 0
        for number, row in enumerate(rows(), start=1):
            for index, key in enumerate(keys):
                value = row.get(key)
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(number, index, value, formats[index])
                elif isinstance(value, bool | list | tuple):
                    ws.write_string(number, index, str(value), formats[index])
                elif isinstance(value, int | float):
                    ws.write_number(number, index, value, formats[index])
                else:
                    ws.write(number, index, value, formats[index])
        written += number
    workbook.close()
    return written


def reference_read(path: Path) -> int:
    """python-calamine: every value of every sheet."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).iter_rows():
            cells += len(row)
    workbook.close()
    return cells


def bench_size(size: int, catalogs: str | None, seed: int, profile: str | None) -> dict:
    """Whole-process and in-process figures for one synthetic size (run in a fresh process)."""
    from grundschutz.catalog import catalog_dir, load_catalog
    from grundschutz.exchange.excel.export import export_workbook
    from grundschutz.exchange.excel.importing import plan_import
    from grundschutz.io import read_assessment
    from grundschutz.method import analyse

    env = environment(catalogs)
    result: dict = {"objects": size}
    with tempfile.TemporaryDirectory(prefix="bench-excel-") as temp:
        temp = Path(temp)
        folder = write_synthetic(temp / "bewertung", size, seed)
        book = temp / "mappe.xlsx"
        result["export_s"], result["export_mib"], output = run_process(["export", str(folder), str(book)], env)
        result["rows"] = int(output.split("(", 1)[1].split(" Zeilen", 1)[0])
        result["file_mib"] = book.stat().st_size / 2**20
        result["import_s"], result["import_mib"], _ = run_process(["import", str(folder), str(book)], env)
        # in-process, one analysis for all: ours against the reference
        analysis = analyse(read_assessment(folder), load_catalog(catalog_dir(catalogs)))
        analysis.check, analysis.risks, analysis.plan  # noqa: B018 - computed once, outside the timings
        for name in analysis.assessment.scenarios:
            analysis.scenario(name)
        started = time.perf_counter()
        reference_write(analysis, temp / "referenz.xlsx")
        result["ref_write_s"] = time.perf_counter() - started
        started = time.perf_counter()
        export_workbook(analysis, temp / "ours.xlsx")
        result["write_s"] = time.perf_counter() - started
        started = time.perf_counter()
        reference_read(temp / "ours.xlsx")
        result["ref_read_s"] = time.perf_counter() - started
        started = time.perf_counter()
        plan_import(analysis, temp / "ours.xlsx")
        result["read_s"] = time.perf_counter() - started
        if profile:
            import cProfile
            import pstats

            call = (lambda: export_workbook(analysis, temp / "p.xlsx")) if profile == "export" else \
                (lambda: plan_import(analysis, temp / "ours.xlsx"))
            profiler = cProfile.Profile()
            profiler.runcall(call)
            print(f"\n# cProfile of {profile}, {size:,} objects (top 25 by own time)")
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return result


def print_size(r: dict) -> None:
    print(f"| {r['objects']:,} | {r['rows']:,} | {r['file_mib']:.1f} | {r['export_s']:.1f} | {r['export_mib']:.0f} "
          f"| {r['import_s']:.1f} | {r['import_mib']:.0f} | {r['write_s']:.1f} / {r['ref_write_s']:.1f} = "
          f"{r['write_s'] / r['ref_write_s']:.2f} | {r['read_s']:.1f} / {r['ref_read_s']:.1f} = "
          f"{r['read_s'] / r['ref_read_s']:.2f} |", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated numbers of objects (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per worked-example command (median)")
    parser.add_argument("--haan-only", action="store_true", help="only the worked example")
    parser.add_argument("--no-haan", action="store_true", help="only the synthetic sizes")
    parser.add_argument("--profile", choices=("export", "import"), help="cProfile one phase (largest size)")
    parser.add_argument("--catalogs", default=None, help="catalog folder (else GRUNDSCHUTZ_CATALOGS)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)  # internal: a size in a fresh process
    args = parser.parse_args(argv)
    if args.one_size:
        print(json.dumps(bench_size(args.one_size, args.catalogs, args.seed, args.profile)))
        return 0
    import openpyxl
    import python_calamine
    import xlsxwriter

    print(f"# Excel exchange benchmark ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs; XlsxWriter {xlsxwriter.__version__}, "
          f"python-calamine {getattr(python_calamine, '__version__', '?')}, openpyxl {openpyxl.__version__})")
    if not args.no_haan:
        print(f"\n## The worked example: whole processes, median of {args.repeats}\n")
        print("| command | wall s | peak RSS MiB |")
        print("| --- | ---: | ---: |")
        for label, seconds, mib in bench_haan(args.repeats, environment(args.catalogs)):
            print(f"| `{label}` | {seconds:.2f} | {mib:.0f} |", flush=True)
    if args.haan_only:
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print("\n## Synthetic assessments: whole processes, and in-process against the lean reference\n")
    print("| objects | rows | file MiB | `export` s | `export` MiB | `import` s | `import` MiB "
          "| writing s: ours / reference = ratio | reading s: ours / reference = ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        command = [sys.executable, __file__, "--one-size", str(size), "--seed", str(args.seed)]
        if args.catalogs:
            command += ["--catalogs", args.catalogs]
        if args.profile and size == max(sizes):
            command += ["--profile", args.profile]
        output = subprocess.run(command, check=True, capture_output=True, text=True,
                                env=environment(args.catalogs)).stdout
        *profile_lines, last = output.rstrip("\n").split("\n")
        print_size(json.loads(last))
        if profile_lines:
            print("\n".join(profile_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
