"""Benchmark: cold and warm load of the Kompendium 2023 with the KRT applied.

Usage::

    python benchmarks/bench_catalog.py [CATALOG_DIR]

CATALOG_DIR defaults to ``../shared/catalogs``. The parsed cache is written to
a temporary folder, never into CATALOG_DIR. Prints the best of 5 runs for a
cold load (no cache: parse XML + KRT, apply), a warm load (from the cache,
in this process) and a warm load in a fresh interpreter (imports included).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grundschutz.catalog import load_catalog, official_sources

REPO = Path(__file__).resolve().parents[1]
RUNS = 5


def best_of(runs: int, action) -> float:
    """Return the shortest wall time in seconds of ``runs`` calls of ``action``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Measure and print the load times."""
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "catalogs"
    sources = official_sources()
    for key in ("kompendium-2023-xml", "krt-2023"):
        path = sources[key].location(directory)
        print(f"{key:22} {path.stat().st_size / 1e6:6.2f} MB  {path}")
    with tempfile.TemporaryDirectory() as cache:
        cold = best_of(RUNS, lambda: load_catalog(directory, cache=False))
        catalog = load_catalog(directory, cache_dir=cache)  # fill the cache
        assert catalog.cache_file is not None
        warm = best_of(RUNS, lambda: load_catalog(directory, cache_dir=cache))
        assert load_catalog(directory, cache_dir=cache).from_cache
        script = (
            "import time; t = time.perf_counter(); "
            "from grundschutz.catalog import load_catalog; "
            f"c = load_catalog({str(directory)!r}, cache_dir={cache!r}); "
            "assert c.from_cache; print(time.perf_counter() - t)"
        )
        fresh = min(
            float(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                                 text=True).stdout)
            for _ in range(RUNS)
        )
        print(f"{'cache file':22} {catalog.cache_file.stat().st_size / 1e6:6.2f} MB")
    kompendium = catalog.kompendium
    print(f"content: {len(kompendium.bausteine)} Bausteine, {len(kompendium.requirements)} "
          f"Anforderungen, {len(kompendium.threats)} Gefährdungen")
    print(f"cold load (parse XML + KRT, apply), best of {RUNS}: {cold:7.3f} s")
    print(f"warm load (cache), best of {RUNS}:                {warm:7.3f} s")
    print(f"warm load in a new interpreter incl. imports:   {fresh:7.3f} s")


if __name__ == "__main__":
    main()
