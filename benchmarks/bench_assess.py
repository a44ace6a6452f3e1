"""Whole-process timings of ``grundschutz`` beside a lean reference pass over the same files.

Run from the repository root, with the package installed::

    python benchmarks/bench_assess.py                          # 10k, 100k, 1M objects, Haan, --help
    python benchmarks/bench_assess.py --sizes 10000,100000 --repeats 5
    python benchmarks/bench_assess.py --sizes 0                # only the Haan rows and --help

For each size a synthetic assessment (``synthetic.py``) is written once into
``--workdir``. Then, alternately and ``--repeats`` times each, two processes
read it:

- the **reference**: this script with ``--reference FOLDER``, the lean pass of
  :func:`reference_pass` (the csv module, integer ids, scipy's strongly
  connected components, the Maximumprinzip as numpy maxima over the
  condensation in topological order, one CSV row of 17 columns per object);
- ``grundschutz assess FOLDER -f csv``, as a user runs it (the console script
  of this interpreter), which also checks every cell, applies cumulation,
  distribution and overrides and writes the rule, source and provisional
  flags of every value.

Each run's wall time and peak memory (``ru_maxrss`` of the child, via
``os.wait4``) are taken; the table shows the median of the repeats and the
ratio of the medians, measured in the same run. Then the worked example:
``assess``, ``requirements -f csv``, ``report`` (HTML into a temporary
folder; these need the BSI catalogs: ``--catalogs`` or ``GRUNDSCHUTZ_CATALOGS``)
and ``grundschutz --help``. Standard output of every process goes to
``/dev/null``. Python may write its bytecode cache (``PYTHONDONTWRITEBYTECODE``
is removed from the children's environment), as an installed package has it.
"""

from __future__ import annotations

import argparse
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
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
LEVELS = {"normal": 1, "hoch": 2, "sehr hoch": 3}
WORDS = ("", "normal", "hoch", "sehr hoch")


def reference_pass(folder: Path, out) -> None:
    """The Maximumprinzip over a folder, as lean as it gets: one row per object to ``out``."""
    import csv

    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import connected_components

    def rows(name: str) -> list[list[str]]:
        with open(folder / name, newline="", encoding="utf-8-sig") as file:
            return list(csv.reader(file))[1:]

    objects = sorted(rows("objects.csv"))
    ids = [row[0] for row in objects]
    position = {object_id: i for i, object_id in enumerate(ids)}
    edges = rows("dependencies.csv")
    source = np.fromiter((position[e[0]] for e in edges), dtype=np.int64, count=len(edges))
    target = np.fromiter((position[e[1]] for e in edges), dtype=np.int64, count=len(edges))
    level = np.zeros((len(ids), 3), dtype=np.int8)
    for need in rows("needs.csv"):
        if not need[7]:  # assessed, no override
            level[position[need[0]]] = [LEVELS.get(need[k], 0) for k in (1, 2, 3)]
    graph = csr_array((np.ones(len(edges), dtype=np.int8), (source, target)), shape=(len(ids), len(ids)))
    count, label = connected_components(graph, directed=True, connection="strong")
    value = np.zeros((count, 3), dtype=np.int8)
    np.maximum.at(value, label, level)
    a, b = label[source], label[target]
    a, b = a[a != b], b[a != b]  # the condensation, a DAG: settle it front by front
    waiting = np.bincount(b, minlength=count)
    front, done = waiting == 0, np.zeros(count, dtype=bool)
    while front.any():
        leaving = front[a]
        np.maximum.at(value, b[leaving], value[a[leaving]])
        waiting -= np.bincount(b[leaving], minlength=count)
        done |= front
        front = (waiting == 0) & ~done
    final = value[label].tolist()  # members of a cycle share its maximum
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["object", "type", "name", "count"] + [f"v{k}" for k in range(13)])
    for row, levels in zip(objects, final):
        words = [WORDS[x] for x in levels]
        writer.writerow([row[0], row[1], row[2], row[5] or 1, words[0], "maximum", "", "", words[1], "maximum",
                         "", "", words[2], "maximum", "", "", ""])


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak memory (MiB) of one process; its output goes to /dev/null."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{error}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(command: list[str], env: dict[str, str], repeats: int) -> tuple[float, float]:
    """Median wall time and median peak memory of ``repeats`` runs."""
    runs = [measured(command, env) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), statistics.median(m for _, m in runs)


def grundschutz_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m grundschutz``."""
    script = Path(sys.executable).with_name("grundschutz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "grundschutz"]


def child_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def synthetic_folder(workdir: Path, n: int, seed: int) -> Path:
    """The synthetic assessment of ``n`` objects in ``workdir``, written once (by another process, so that
    this one stays small: a child's peak memory counts what it had before it started the program)."""
    folder = workdir / f"synthetic-{n}-seed{seed}"
    if not (folder / "needs.csv").is_file():
        code = "import sys; import synthetic; synthetic.write_synthetic(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))"
        subprocess.run([sys.executable, "-c", code, str(folder), str(n), str(seed)], check=True, cwd=HERE)
    return folder


def compare_sizes(sizes: list[int], workdir: Path, seed: int, repeats: int, env: dict[str, str]) -> list[str]:
    """Markdown rows: objects, edges, reference and grundschutz time and memory, ratios."""
    lines = ["| objects | edges | reference s | reference MiB | `assess -f csv` s | MiB | time ratio | memory ratio |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in sizes:
        folder = synthetic_folder(workdir, n, seed)
        with open(folder / "dependencies.csv", encoding="utf-8") as file:
            edges = sum(1 for _ in file) - 1
        reference = [sys.executable, str(Path(__file__).resolve()), "--reference", str(folder)]
        ours = [*grundschutz_command(), "assess", str(folder), "-f", "csv"]
        ref_runs, our_runs = [], []
        for _ in range(repeats):  # alternately, so that both see the same load of the machine
            ref_runs.append(measured(reference, env))
            our_runs.append(measured(ours, env))
        rt, rm = statistics.median(t for t, _ in ref_runs), statistics.median(m for _, m in ref_runs)
        ot, om = statistics.median(t for t, _ in our_runs), statistics.median(m for _, m in our_runs)
        lines.append(f"| {n:,} | {edges:,} | {rt:.2f} | {rm:.0f} | {ot:.2f} | {om:.0f} | {ot / rt:.2f} | "
                     f"{om / rm:.2f} |")
        print(lines[-1], flush=True)
    return lines


def haan_rows(haan: Path, catalogs: str | None, repeats: int, env: dict[str, str]) -> list[str]:
    """Markdown rows of the worked example's commands and ``--help``."""
    command = grundschutz_command()
    extra = ["--catalogs", catalogs] if catalogs else []
    lines = ["| command | s | MiB |", "| --- | ---: | ---: |"]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as out:
        runs = [
            ("grundschutz --help", [*command, "--help"]),
            (f"grundschutz assess {haan.name}", [*command, "assess", str(haan), *extra]),
            (f"grundschutz assess {haan.name} -f csv", [*command, "assess", str(haan), "-f", "csv"]),
            (f"grundschutz requirements {haan.name} -f csv", [*command, "requirements", str(haan), "-f", "csv", *extra]),
            (f"grundschutz report {haan.name}", [*command, "report", str(haan), "-o", f"{out}/report.html", *extra]),
        ]
        for label, argv in runs:
            seconds, mib = median_of(argv, env, repeats)
            lines.append(f"| `{label}` | {seconds:.2f} | {mib:.0f} |")
            print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated object counts; 0 for none")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the synthetic folders are kept between runs (default: a temporary folder)")
    parser.add_argument("--haan", type=Path, default=ROOT / "assessments" / "haan")
    parser.add_argument("--catalogs", default=os.environ.get("GRUNDSCHUTZ_CATALOGS"))
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reference:
        reference_pass(args.reference, sys.stdout)
        return
    env = child_environment()
    sizes = [int(s) for s in args.sizes.split(",") if int(s)]
    print(f"# {platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; median of {args.repeats}", flush=True)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-assess-"))
    try:
        if sizes:
            compare_sizes(sizes, workdir, args.seed, args.repeats, env)
        if args.haan.is_dir():
            haan_rows(args.haan, args.catalogs, args.repeats, env)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
