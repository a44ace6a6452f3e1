"""Benchmark of ``grundschutz portfolio``: many municipalities read in parallel.

For each size (default 400 and 4,000 municipalities) the script writes a
synthetic Land (:mod:`portfolio_synthetic`: one KRZ with 60 services, each
municipality 200-500 objects using 20-50 of them, one folder in 100 broken)
and measures, for each number of worker processes (default 1 and all
CPUs), in a fresh Python process:

- **wall**: :func:`grundschutz.exchange.portfolio.read_portfolio` (find the
  folders, read, validate and propagate each in a worker, summarise,
  compute the portfolio), wall time;
- **CPU**: user + system time of the main process and the workers
  together (less sensitive than wall time to other jobs on the machine), and
  of the main process alone (the part that does not run in parallel);
- **peak main / worker**: the peak resident memory of the main process (after
  the portfolio is computed, before any output) and of the largest worker
  process (``ru_maxrss``; with 1 worker everything runs in the main process);
- **apply plan, workbook, page**: the preview of ``--apply``, the Excel
  workbook and the HTML page from the computed portfolio (with 1 worker only).

The speed-up is wall(1 worker) / wall(N workers); it means something only on
an otherwise idle machine, so the one-minute load average at the end of each
run is printed with it. Run from the repository root::

    python benchmarks/bench_portfolio.py                  # 400 and 4,000 municipalities, 1 and all workers
    python benchmarks/bench_portfolio.py --sizes 100 --workers 1,2
    python benchmarks/bench_portfolio.py --keep /tmp/land  # keep (and reuse) the generated folders
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _measure(root: str, workers: int, outputs: bool) -> dict:
    """Run in a fresh process: read the Land with ``workers`` processes and report times and memory."""
    from grundschutz.exchange.portfolio import plan_apply, read_portfolio

    start = time.perf_counter()
    portfolio = read_portfolio(root, Path(root) / "krz", workers=workers)
    wall = time.perf_counter() - start
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"workers": workers, "wall": wall, "clients": len(portfolio.clients),
              "excluded": len(portfolio.excluded), "objects": len(portfolio.objects),
              "uses": sum(len(s.clients) for s in portfolio.objects), "cumulations": len(portfolio.cumulations),
              "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
              "cpu_main": own.ru_utime + own.ru_stime,
              "peak_main_mb": own.ru_maxrss / 1024, "peak_worker_mb": children.ru_maxrss / 1024,
              "load": os.getloadavg()[0]}
    if outputs:
        from grundschutz.exchange.portfolio.workbook import write_portfolio_workbook
        from grundschutz.views.portfolio_report import build_portfolio_report

        with tempfile.TemporaryDirectory() as temp:
            for name, step in (("apply_plan", lambda: plan_apply(portfolio)),
                               ("workbook", lambda: write_portfolio_workbook(portfolio, Path(temp) / "p.xlsx")),
                               ("page", lambda: build_portfolio_report(portfolio))):
                start = time.perf_counter()
                step()
                result[name] = time.perf_counter() - start
    return result


def _run(root: Path, workers: int, outputs: bool) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import bench_portfolio as b; "
            f"print(json.dumps(b._measure({str(root)!r}, {workers}, {outputs})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent),
                                                                                          os.environ.get("PYTHONPATH")]))})
    return json.loads(done.stdout.strip().splitlines()[-1])


def _size_of(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="400,4000", help="numbers of municipalities, comma-separated")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="worker counts, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", metavar="DIR", help="write the Lands under DIR and keep them (reused if present)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import portfolio_synthetic

    sizes = [int(s) for s in args.sizes.split(",")]
    workers = sorted({int(w) for w in args.workers.split(",")})
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="grundschutz-land-"))
    print(f"# machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()}")
    rows = []
    try:
        for size in sizes:
            root = base / f"land-{size}"
            if not (root / "krz").is_dir():
                start = time.perf_counter()
                portfolio_synthetic.write_land(root, size, seed=args.seed)
                print(f"# land-{size}: generated in {time.perf_counter() - start:.1f} s", flush=True)
            files, size_bytes = _size_of(root)
            print(f"# land-{size}: {files} files, {size_bytes / 1e6:.0f} MB", flush=True)
            results = [_run(root, w, outputs=(w == workers[0])) for w in workers]
            for r in results:
                r["speedup"] = results[0]["wall"] / r["wall"]
                print("# " + json.dumps(r), flush=True)
                rows.append((size, r))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print()
    print("| municipalities | excluded | shared objects | uses | workers | wall s | speed-up | CPU s | main CPU s "
          "| CPU ms per folder | peak main MB | peak worker MB | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, r in rows:
        print(f"| {size:,} | {r['excluded']} | {r['objects']} | {r['uses']:,} | {r['workers']} | {r['wall']:.1f} "
              f"| {r['speedup']:.2f} | {r['cpu']:.1f} | {r['cpu_main']:.1f} | {1000 * r['cpu'] / size:.1f} "
              f"| {r['peak_main_mb']:.0f} | {r['peak_worker_mb']:.0f} | {r['load']:.1f} |")
    print()
    for size, r in rows:
        if "workbook" in r:
            print(f"# {size:,} municipalities: --apply preview {r['apply_plan']:.2f} s, "
                  f"workbook {r['workbook']:.1f} s, HTML page {r['page']:.1f} s")


if __name__ == "__main__":
    main()
