"""Benchmark loading, propagation and tabulation of synthetic assessments.

Run from the repository root::

    python benchmarks/bench_propagation.py                       # 1,000, 10,000, 100,000 objects
    python benchmarks/bench_propagation.py --sizes 1000,10000 --repeats 5

For each size a synthetic assessment (see ``synthetic.py``) is written to a
temporary folder, then ``read_assessment`` (parse + validate),
``propagate`` and ``needs_records`` are timed separately, best of
``--repeats`` runs with :func:`time.perf_counter`. The start-up cost of the
command line (``grundschutz --help``, best of 5, in a fresh interpreter) and
the import time of the package are measured too. The output is a markdown
table, with the machine it ran on.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # so that ``python benchmarks/bench_propagation.py`` finds synthetic
    sys.path.insert(0, str(HERE))

from synthetic import write_synthetic  # noqa: E402

DEFAULT_SIZES = (1_000, 10_000, 100_000)


@dataclass(frozen=True)
class SizeResult:
    """The timings of one landscape size, in seconds (best of the repeats)."""

    objects: int
    edges: int
    load: float
    propagate: float
    records: float


def best_of(function: Callable[[], object], repeats: int) -> tuple[float, object]:
    """The shortest wall time of ``repeats`` calls of ``function``, and its
    last result. The garbage collector runs before each call, not during the
    measurement's setup."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
    return best, result


def bench_size(n_objects: int, repeats: int, seed: int = 0) -> SizeResult:
    """Time load, propagation and records for a synthetic landscape of ``n_objects``."""
    from grundschutz import needs_records, propagate, read_assessment

    folder = Path(tempfile.mkdtemp(prefix=f"grundschutz-bench-{n_objects}-"))
    try:
        write_synthetic(folder, n_objects, seed)
        load, assessment = best_of(lambda: read_assessment(folder), repeats)
        run, result = best_of(lambda: propagate(assessment), repeats)
        records, _ = best_of(lambda: needs_records(result), repeats)
        return SizeResult(len(assessment.objects), len(assessment.dependencies), load, run, records)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_cli_help(repeats: int = 5) -> float:
    """Best wall time of ``grundschutz --help`` in a fresh interpreter."""
    executable = shutil.which("grundschutz")
    command = [executable, "--help"] if executable else [sys.executable, "-m", "grundschutz", "--help"]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def bench_import(module: str = "grundschutz", repeats: int = 5) -> float:
    """Best time to import ``module`` in a fresh interpreter, measured inside it
    (without interpreter start-up)."""
    code = (
        "import time; start = time.perf_counter(); import " + module
        + "; print(time.perf_counter() - start)"
    )
    return min(
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(repeats)
    )


def machine() -> str:
    """A one-line description of the machine and interpreter."""
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    processor = platform.processor() or platform.machine()
    return (
        f"{platform.system()} {platform.machine()} ({processor}), {cpus} CPUs ({usable} usable), "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def format_table(results: list[SizeResult], help_time: float) -> str:
    """The timings as a markdown table."""
    lines = [
        "| objects | edges | load s | propagate s | records s | --help s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.objects:,} | {r.edges:,} | {r.load:.3f} | {r.propagate:.3f} | {r.records:.3f} | {help_time:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
        help="comma-separated numbers of objects (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, best counts (default: 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic landscapes (default: 0)")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(f"Machine: {machine()}")
    import_time = bench_import()
    help_time = bench_cli_help()
    print(f"import grundschutz: {import_time:.3f} s; grundschutz --help: {help_time:.3f} s (best of 5)")
    results = []
    for n in sizes:
        result = bench_size(n, args.repeats, args.seed)
        results.append(result)
        print(
            f"  {result.objects:>8,} objects, {result.edges:>9,} edges: load {result.load:.3f} s, "
            f"propagate {result.propagate:.3f} s, records {result.records:.3f} s",
            flush=True,
        )
    print()
    print(format_table(results, help_time))
    return 0


if __name__ == "__main__":
    sys.exit(main())
