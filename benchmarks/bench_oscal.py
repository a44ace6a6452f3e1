"""Benchmark the OSCAL export: the worked example and synthetic assessments.

Run from the repository root (the BSI catalogs must be installed, e.g.
``GRUNDSCHUTZ_CATALOGS=../shared/catalogs`` or ``--catalogs``)::

    python benchmarks/bench_oscal.py                          # assessments/haan and 10,000 objects
    python benchmarks/bench_oscal.py --sizes 1000,10000 --no-haan

For each assessment the analysis is computed first (read, Schutzbedarf,
Modellierung, selection, check, risk analysis, work plan: what the export
needs), then :func:`grundschutz.exchange.oscal.export_oscal` writes the four
documents (SSP, assessment plan, assessment results, POA&M) to a temporary
folder. Reported: wall time of the analysis and of the export (best of
``--repeats``), CPU time of the export, the sizes of the documents and the
process' peak RSS. A synthetic assessment (``synthetic.py``) has no
``check.csv``: every selected requirement is ``unbearbeitet``, so it has one
SSP ``by-component``, one finding and one POA&M item per selected
requirement (about 40 per object) - the largest documents an assessment of
that size gives.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from synthetic import write_synthetic  # noqa: E402

from grundschutz.catalog import catalog_dir, load_catalog  # noqa: E402
from grundschutz.exchange.oscal import export_oscal  # noqa: E402
from grundschutz.io import read_assessment  # noqa: E402
from grundschutz.method import analyse  # noqa: E402

HAAN = HERE.parent / "assessments" / "haan"


def run(label: str, folder: Path, catalogs: str | None, repeats: int) -> dict:
    """Analyse the assessment at ``folder`` once, then export it ``repeats`` times; the figures."""
    catalog = load_catalog(catalog_dir(catalogs))
    started = time.perf_counter()
    analysis = analyse(read_assessment(folder), catalog)
    analysis.plan  # the steps are lazy: compute everything the export reads here, not inside it
    analysed = time.perf_counter() - started
    best, cpu = float("inf"), 0.0
    with tempfile.TemporaryDirectory(prefix="bench-oscal-") as temp:
        for _ in range(repeats):
            started, cpu_started = time.perf_counter(), time.process_time()
            result = export_oscal(analysis, Path(temp) / "oscal")
            elapsed = time.perf_counter() - started
            if elapsed < best:
                best, cpu = elapsed, time.process_time() - cpu_started
    return {"label": label, "objects": len(analysis.assessment.objects), "check": len(analysis.check),
            "analyse_s": analysed, "export_s": best, "export_cpu_s": cpu, "counts": result.counts,
            "mib": {kind: size / 2**20 for kind, size in result.sizes.items()},
            "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated numbers of objects (default 10000)")
    parser.add_argument("--no-haan", action="store_true", help="leave out assessments/haan")
    parser.add_argument("--repeats", type=int, default=1, help="exports per assessment, the best counts")
    parser.add_argument("--catalogs", default=None, help="catalog folder (else GRUNDSCHUTZ_CATALOGS)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"# OSCAL export benchmark ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    print()
    print("| assessment | objects | check entries | analyse s | export s | export CPU s | SSP MiB | AR MiB "
          "| POA&M MiB | peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    if not args.no_haan:
        _print(run("assessments/haan", HAAN, args.catalogs, args.repeats))
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        with tempfile.TemporaryDirectory(prefix="bench-oscal-") as temp:
            folder = write_synthetic(Path(temp) / "bewertung", size, args.seed)
            _print(run(f"synthetic {size:,}", folder, args.catalogs, args.repeats))
    return 0


def _print(r: dict) -> None:
    m = r["mib"]
    print(f"| {r['label']} | {r['objects']:,} | {r['check']:,} | {r['analyse_s']:.1f} | {r['export_s']:.1f} "
          f"| {r['export_cpu_s']:.1f} | {m['ssp']:.1f} | {m['ar']:.1f} | {m['poam']:.1f} | {r['rss_mib']:.0f} |",
          flush=True)
    print(f"<!-- {r['label']}: {r['counts']} -->", flush=True)


if __name__ == "__main__":
    sys.exit(main())
