"""The speed table of issue 13 in one run: every row with its target, and ratios from the same run.

Run from the repository root (the BSI catalogs installed or ``--catalogs``)::

    python benchmarks/bench_table.py                  # everything, 1M objects and the test suite included
    python benchmarks/bench_table.py --quick          # without the 1,000,000-object case
    python benchmarks/bench_table.py --no-tests --repeats 5 --workdir /tmp/bench
    python benchmarks/bench_table.py --readme README.md   # and write README.md's speed table

Rows, each a whole process as a user runs it (wall time, peak memory of the
child from ``os.wait4``, the median of ``--repeats`` runs; the 1,000,000-object
case ``--million-repeats`` times, one by default):

- ``grundschutz assess -f csv`` of 100,000 and 1,000,000 synthetic objects
  (``synthetic.py``), alternately with the lean reference pass of
  ``bench_assess.py`` over the same files: the ratio of the medians;
- ``assess -f csv`` of 10,000 objects, the same way, without a target (how
  the ratio grows with the size);
- ``assess``, ``export``, ``report``, ``import`` (dry run and ``--apply`` of
  one edited status, into a fresh copy each time) and ``requirements -f csv``
  of ``assessments/haan`` (``assess`` without a target);
- ``export`` and ``import`` (dry run) of a 10,000-object assessment (about a
  million rows), with the writing and the reading of the same analysis in
  one process beside XlsxWriter (constant memory) and python-calamine
  (``bench_excel.py --one-size``);
- ``python -m pytest -q -p no:cacheprovider`` (skip with ``--no-tests``).

The targets are for a quiet machine. On a shared one every figure grows with
the load, so the table also gives the **load factor**: the reference pass of
100,000 objects in this run divided by its 1.16 s on the quiet machine the
issue measured. "met" compares a measured figure with the target, "met
(load)" with the target times the load factor; the ratios to a reference
(from the same run) need no such correction.
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
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_assess import child_environment, grundschutz_command, measured, synthetic_folder  # noqa: E402
from bench_excel import edit_one_status  # noqa: E402

#: The reference pass of 100,000 objects on the quiet machine of issue 13 (s).
QUIET_REFERENCE_S = 1.16
#: The issue's 1M target against its reference then: 25 s / 13.6 s.
MILLION_RATIO = 25 / 13.6


def assess_rows(sizes: list[int], workdir: Path, repeats: int, env: dict[str, str]) -> dict[int, dict]:
    """``assess -f csv`` and the reference pass per size: median seconds and MiB of each."""
    result = {}
    for n in sizes:
        folder = synthetic_folder(workdir, n, 0)
        reference = [sys.executable, str(HERE / "bench_assess.py"), "--reference", str(folder)]
        ours = [*grundschutz_command(), "assess", str(folder), "-f", "csv"]
        ref_runs, our_runs = [], []
        for _ in range(repeats):  # alternately: both see the same load
            ref_runs.append(measured(reference, env))
            our_runs.append(measured(ours, env))
        result[n] = {"ref_s": statistics.median(t for t, _ in ref_runs),
                     "ref_mib": statistics.median(m for _, m in ref_runs),
                     "s": statistics.median(t for t, _ in our_runs),
                     "mib": statistics.median(m for _, m in our_runs)}
    return result


def haan_rows(haan: Path, catalogs: str | None, repeats: int, env: dict[str, str]) -> dict[str, tuple]:
    """Median seconds and MiB of the worked example's commands."""
    command = grundschutz_command()
    extra = ["--catalogs", catalogs] if catalogs else []
    found = {}
    with tempfile.TemporaryDirectory(prefix="bench-table-") as temp:
        temp = Path(temp)
        book = temp / "haan.xlsx"

        def median(argv_of) -> tuple[float, float]:
            runs = [measured(argv_of(k), env) for k in range(repeats)]
            return statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs)

        found["assess"] = median(lambda k: [*command, "assess", str(haan), *extra])
        found["export"] = median(lambda k: [*command, "export", str(haan), str(book), *extra])
        found["report"] = median(lambda k: [*command, "report", str(haan), "-o", str(temp / "bericht.html"), *extra])
        found["import"] = median(lambda k: [*command, "import", str(haan), str(book), *extra])
        edited = temp / "bearbeitet.xlsx"
        edit_one_status(book, edited)
        for k in range(repeats):
            shutil.copytree(haan, temp / f"kopie-{k}")
        found["apply"] = median(lambda k: [*command, "import", str(temp / f"kopie-{k}"), str(edited), "--apply",
                                           *extra])
        found["requirements"] = median(lambda k: [*command, "requirements", str(haan), "-f", "csv", *extra])
    return found


def excel_rows(size: int, catalogs: str | None, env: dict[str, str]) -> dict:
    """``bench_excel.py --one-size``: export and import of ``size`` objects, ours and the references."""
    command = [sys.executable, str(HERE / "bench_excel.py"), "--one-size", str(size)]
    if catalogs:
        command += ["--catalogs", catalogs]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_suite(env: dict[str, str]) -> tuple[float, str]:
    """Wall time of the whole test suite and its last line (marked if it failed)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], capture_output=True,
                          text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    last = (done.stdout.strip().splitlines() or ["?"])[-1]
    return seconds, last if not done.returncode else f"**failed**: {last}"


def verdict(met: bool) -> str:
    return "yes" if met else "**no**"


def table_lines(assess: dict, haan: dict, excel: dict, tests: tuple | None, load: float) -> list[str]:
    """The markdown table: what, measured, yardstick, ratio, target, met, met at this load."""
    lines = ["| what | measured | yardstick (same run) | ratio | target | met | met (load) |",
             "| --- | ---: | ---: | ---: | --- | :-: | :-: |"]

    def row(*cells) -> None:
        lines.append("| " + " | ".join(map(str, cells)) + " |")

    if 10_000 in assess:  # no target: how the ratio grows with the size
        a = assess[10_000]
        row("`assess -f csv`, 10,000 objects", f"{a['s']:.2f} s, {a['mib']:.0f} MiB",
            f"reference pass: {a['ref_s']:.2f} s, {a['ref_mib']:.0f} MiB", f"{a['s'] / a['ref_s']:.2f}", "—", "—",
            "—")
    for n, limit_s, limit_ratio, target in ((100_000, 2.5, 2.0, "≤ 2× the reference, < 2.5 s"),
                                            (1_000_000, 25, MILLION_RATIO, f"< 25 s (≤ {MILLION_RATIO:.2f}× the "
                                                                           "reference), < 1.5 GiB")):
        if n in assess:
            a = assess[n]
            ratio, small = a["s"] / a["ref_s"], a["mib"] < 1536
            row(f"`assess -f csv`, {n:,} objects", f"{a['s']:.2f} s, {a['mib']:.0f} MiB",
                f"reference pass: {a['ref_s']:.2f} s, {a['ref_mib']:.0f} MiB", f"{ratio:.2f}", target,
                verdict(ratio <= limit_ratio and a["s"] < limit_s and small),
                verdict(ratio <= limit_ratio and a["s"] < limit_s * load and small))
    seconds, mib = haan["assess"]
    row("`assess assessments/haan`", f"{seconds:.2f} s, {mib:.0f} MiB", "—", "—", "—", "—", "—")
    for key, label, limit in (("export", "`export assessments/haan`", 1.5), ("report", "`report assessments/haan`", 2),
                              ("import", "`import assessments/haan` (dry run)", 1.5),
                              ("apply", "`import assessments/haan --apply`", 1.5),
                              ("requirements", "`requirements assessments/haan -f csv`", 0.5)):
        seconds, mib = haan[key]
        row(label, f"{seconds:.2f} s, {mib:.0f} MiB", "—", f"{seconds / limit:.2f} of the target", f"< {limit} s",
            verdict(seconds < limit), verdict(seconds < limit * load))
    e = excel
    small = e["export_mib"] < 400
    row(f"`export` of {e['objects']:,} objects ({e['rows']:,} rows)",
        f"{e['export_s']:.1f} s, {e['rows'] / e['export_s']:,.0f} rows/s, {e['export_mib']:.0f} MiB (writing alone: "
        f"{e['rows'] / e['write_s']:,.0f} rows/s)",
        f"XlsxWriter, constant memory: {e['rows'] / e['ref_write_s']:,.0f} rows/s",
        f"{e['write_s'] / e['ref_write_s']:.2f}", "< 40 s, < 400 MiB", verdict(e["export_s"] < 40 and small),
        verdict(e["export_s"] < 40 * load and small))
    row("reading that workbook back: `import` (dry run)",
        f"{e['import_s']:.1f} s, {e['import_mib']:.0f} MiB (reading alone: {e['rows'] / e['read_s']:,.0f} rows/s)",
        f"python-calamine: {e['rows'] / e['ref_read_s']:,.0f} rows/s", f"{e['read_s'] / e['ref_read_s']:.2f}",
        "import < 40 s", verdict(e["import_s"] < 40), verdict(e["import_s"] < 40 * load))
    if tests:
        seconds, last = tests
        row("`python -m pytest -q -p no:cacheprovider`", f"{seconds:.0f} s ({last})", "—",
            f"{seconds / 180:.2f} of the target", "< 3 min on 2 cores", verdict(seconds < 180),
            verdict(seconds < 180 * load))
    return lines


#: The lines of README.md between these two hold the speed table (``--readme``).
README_START = "<!-- speed table: written by benchmarks/bench_table.py --readme README.md -->"
README_END = "<!-- end of the speed table -->"


def readme_lines(assess: dict, haan: dict, excel: dict, tests: tuple | None, load: float) -> list[str]:
    """The short table of the README: what, time and peak memory, target; and the run it comes from."""
    lines = ["| what | time, peak memory | target |", "| --- | ---: | ---: |"]
    for n, target in ((100_000, "≤ 2×, < 2.5 s"), (1_000_000, "< 25 s, < 1.5 GiB")):
        if n in assess:
            a = assess[n]
            lines.append(f"| `assess -f csv`, {n:,} objects | {a['s']:.2f} s, {a['mib']:,.0f} MiB "
                         f"({a['s'] / a['ref_s']:.2f}× the lean pass) | {target} |")
    lines.append("| `export` / `import` / `requirements -f csv` of `assessments/haan` | "
                 f"{haan['export'][0]:.2f} s / {haan['import'][0]:.2f} s / {haan['requirements'][0]:.2f} s "
                 "| 1.5 / 1.5 / 0.5 s |")
    lines.append(f"| `report` of `assessments/haan` | {haan['report'][0]:.2f} s | < 2 s |")
    e = excel
    lines.append(f"| `export` of {e['objects']:,} objects ({e['rows'] / 1e6:.2f} M rows) | {e['export_s']:.1f} s, "
                 f"{e['rows'] / e['export_s']:,.0f} rows/s, {e['export_mib']:.0f} MiB | < 40 s, < 400 MiB |")
    lines.append(f"| `import` of that workbook | {e['import_s']:.1f} s (reading "
                 f"{e['read_s'] / e['ref_read_s']:.2f}× calamine alone) | < 40 s |")
    if tests:
        lines.append(f"| the test suite, `python -m pytest` | {tests[0]:.0f} s | < 3 min |")
    missed = [line.strip("| ").split(" | ")[0] for line in table_lines(assess, haan, excel, tests, load)[2:]
              if line.strip("| ").split(" | ")[-2] == verdict(False)]
    lines += ["", f"Measured on {time.strftime('%d.%m.%Y')} with `python benchmarks/bench_table.py --readme "
                  f"README.md`, load factor {load:.2f} (the reference pass of 100,000 objects in this run / "
                  f"{QUIET_REFERENCE_S} s on the quiet machine of issue 13). "
              + ("Every target is met in this run." if not missed else f"Not met in this run: {', '.join(missed)}.")]
    return lines


def write_readme(path: Path, lines: list[str]) -> None:
    """Replace the speed table of the README at ``path`` (between :data:`README_START` and :data:`README_END`)."""
    text = path.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise SystemExit(f"{path}: the markers of the speed table are missing ({README_START})")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    path.write_text(head + README_START + "\n" + "\n".join(lines) + "\n" + README_END + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="without the 1,000,000-object case")
    parser.add_argument("--no-tests", action="store_true", help="without the test suite")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--million-repeats", type=int, default=1, help="runs of the 1,000,000-object case")
    parser.add_argument("--excel-size", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the synthetic folders are kept between runs (default: a temporary folder)")
    parser.add_argument("--haan", type=Path, default=ROOT / "assessments" / "haan")
    parser.add_argument("--catalogs", default=os.environ.get("GRUNDSCHUTZ_CATALOGS"))
    parser.add_argument("--readme", type=Path, default=None,
                        help="write the short table into this README (between its speed-table markers)")
    args = parser.parse_args(argv)
    env = child_environment()
    if args.catalogs:
        env["GRUNDSCHUTZ_CATALOGS"] = str(Path(args.catalogs).resolve())
    started = time.perf_counter()
    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; median of {args.repeats} "
          f"(1M: {args.million_repeats})",
          flush=True)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-table-"))
    try:
        assess = assess_rows([10_000, 100_000], workdir, args.repeats, env)
        if not args.quick:
            assess |= assess_rows([1_000_000], workdir, args.million_repeats, env)
        haan = haan_rows(args.haan, args.catalogs, args.repeats, env)
        excel = excel_rows(args.excel_size, args.catalogs, env)
        tests = None if args.no_tests else test_suite(env)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    load = assess[100_000]["ref_s"] / QUIET_REFERENCE_S
    print(f"# load average {os.getloadavg()[0]:.1f} at the end; load factor (reference 100k: "
          f"{assess[100_000]['ref_s']:.2f} s / {QUIET_REFERENCE_S} s) = {load:.2f}\n")
    print("\n".join(table_lines(assess, haan, excel, tests, load)))
    if args.readme:
        write_readme(args.readme, readme_lines(assess, haan, excel, tests, load))
        print(f"\n# the speed table of {args.readme} is written")
    print(f"\n# the whole benchmark took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
