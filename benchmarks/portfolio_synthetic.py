"""A synthetic Land for the portfolio benchmark: one KRZ and N municipalities that use its services.

:func:`write_land` writes, under one folder,

* ``krz/``: the provider, with ``services`` service objects ``DL-001`` ...
  (and a little infrastructure they run on) and ``portfolio:`` in its
  ``assessment.yaml`` with two cumulation rules across clients;
* ``kommune-0001/`` ...: municipalities of realistic size (``min_objects`` to
  ``max_objects`` objects, the landscapes of :mod:`synthetic`), each using 20
  to 50 of the KRZ's services: one service object per used service with the
  tag ``provider=krz:DL-nnn``, on which one to three of its applications
  depend, so the needs that reach it vary with the municipality's own needs;
* in every ``broken_every``-th municipality an error (a level that does not
  exist, a missing ``objects.csv``, a dependency on an unknown object), so the
  portfolio has folders to list and exclude.

The same arguments always give the same files.

>>> import tempfile
>>> root = write_land(tempfile.mkdtemp(), 3, seed=1, min_objects=60, max_objects=80, broken_every=3)
>>> sorted(p.name for p in root.iterdir())
['kommune-0001', 'kommune-0002', 'kommune-0003', 'krz']
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402  (the benchmarks folder is not a package)

KRZ_YAML = """\
name: Synthetisches KRZ ({services} Dienste)
organisation: Synthetisches Kommunales Rechenzentrum
portfolio:
  id: krz
  cumulation:
    - name: Verfügbarkeit für viele Kommunen
      basic_value: availability
      types: [service]
      min_clients: 10
      at_level: hoch
      raise_to: sehr hoch
      candidate_margin: 2
      reason: Zehn oder mehr Kommunen mit hohem Verfügbarkeitsbedarf fallen gemeinsam aus.
    - name: Vertraulichkeit gebündelter Daten
      basic_value: confidentiality
      types: [service]
      min_clients: 25
      at_level: hoch
      raise_to: sehr hoch
      candidate_margin: 5
      reason: Ein Dienst bündelt die vertraulichen Daten von 25 oder mehr Kommunen.
"""
#: The kinds of error planted in broken municipalities, in turn.
ERRORS = ("level", "missing", "dependency")


def write_krz(folder: Path, services: int) -> Path:
    """The provider's assessment: ``services`` services on two application servers, a network and a room."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assessment.yaml").write_text(KRZ_YAML.format(services=services), encoding="utf-8")
    objects = [(f"DL-{i:03d}", "service", f"KRZ-Dienst {i}", "", "angebot", "") for i in range(1, services + 1)]
    objects += [("SRV-1", "server", "Anwendungsserver 1", "", "", ""),
                ("SRV-2", "server", "Anwendungsserver 2", "", "", ""),
                ("NET-1", "network", "Rechenzentrumsnetz", "", "", ""), ("R-1", "room", "Rechenzentrum", "", "", "")]
    dependencies = [(f"DL-{i:03d}", f"SRV-{1 + i % 2}", "", "") for i in range(1, services + 1)]
    dependencies += [("SRV-1", "NET-1", "", ""), ("SRV-2", "NET-1", "", ""), ("SRV-1", "R-1", "", ""),
                     ("SRV-2", "R-1", "", "")]
    _write_tables(folder, objects, dependencies, [])
    return folder


def _write_tables(folder: Path, objects, dependencies, needs) -> None:
    for name, columns, rows in (("objects.csv", synthetic.OBJECT_COLUMNS, objects),
                                ("dependencies.csv", synthetic.DEPENDENCY_COLUMNS, dependencies),
                                ("needs.csv", synthetic.NEED_COLUMNS, needs)):
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)


def write_municipality(folder: Path, number: int, services: int, rng: random.Random, min_objects: int,
                       max_objects: int, error: str | None = None) -> Path:
    """One municipality using 20 to 50 of the KRZ's ``services``; ``error``: one of :data:`ERRORS`."""
    folder.mkdir(parents=True, exist_ok=True)
    landscape = synthetic.generate(rng.randint(min_objects, max_objects), seed=rng.randrange(1 << 30))
    settings = landscape.settings.replace("name: Synthetische Verwaltung", f"name: Kommune {number}") \
        .replace("organisation: Benchmark", f"organisation: Kommune {number:04d}")
    (folder / "assessment.yaml").write_text(settings, encoding="utf-8")
    objects, dependencies, needs = list(landscape.objects), list(landscape.dependencies), list(landscape.needs)
    applications = [row[0] for row in objects if row[1] == "application"]
    network = next(row[0] for row in objects if row[1] == "network")
    for service in sorted(rng.sample(range(1, services + 1), rng.randint(20, min(50, services)))):
        object_id = f"KRZ-{service:03d}"
        objects.append((object_id, "service", f"KRZ-Dienst {service}", "", f"betrieb=krz;provider=krz:DL-{service:03d}",
                        ""))
        dependencies.append((object_id, network, "", ""))
        for app in rng.sample(applications, rng.randint(1, min(3, len(applications)))):
            dependencies.append((app, object_id, "", ""))
    if error == "level":
        first = needs[0]
        needs[0] = (first[0], "mittel", *first[2:])
    elif error == "dependency":
        dependencies.append((applications[0], "GIBT-ES-NICHT", "", ""))
    _write_tables(folder, objects, dependencies, needs)
    if error == "missing":
        (folder / "objects.csv").unlink()
    return folder


def write_land(root: str | Path, municipalities: int, seed: int = 0, *, services: int = 60, min_objects: int = 200,
               max_objects: int = 500, broken_every: int = 100) -> Path:
    """Write the KRZ and ``municipalities`` municipalities under ``root`` (see the module docstring)."""
    root = Path(root)
    rng = random.Random(seed)
    write_krz(root / "krz", services)
    for number in range(1, municipalities + 1):
        broken = broken_every and number % broken_every == 0
        error = ERRORS[(number // broken_every) % len(ERRORS)] if broken else None
        write_municipality(root / f"kommune-{number:04d}", number, services, rng, min_objects, max_objects, error)
    return root
