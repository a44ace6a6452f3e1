"""Synthetic assessment landscapes for benchmarks.

:func:`generate` builds, deterministically from a seed, a landscape with the
shape of a real Informationsverbund of a municipality or a mid-sized company:

* processes depend on applications (a few popular applications are used by
  many processes) and sometimes on other processes;
* applications run on virtual servers (some on two load-balanced servers of
  one redundancy group), use other applications and outside services, and run
  on the clients of the departments that work with them;
* every virtual server depends on two hypervisors of its cluster (one
  ``redundancy_group`` per cluster), on a storage system, on a server network
  and mostly on a domain controller;
* hypervisors and storage stand in server rooms and are attached to networks;
  networks depend on their network devices, devices and rooms on rooms and
  buildings;
* clients, printers and mobile devices depend on networks, rooms, the domain
  controller, file servers and printers;
* domain controller <-> DNS server pairs form dependency cycles (about one per
  1,000 objects);
* needs are assessed for processes and applications, with a realistic skew
  towards ``normal`` and short reason texts; a few are left unrated and a few
  values are overridden by hand;
* ``assessment.yaml`` has cumulation rules (availability of servers, network
  devices, networks and rooms with at least 5 dependents, ...) and enables
  the distribution effect.

There are about four dependencies per object. :func:`write_synthetic` writes
the landscape as an assessment folder (``assessment.yaml``, ``objects.csv``,
``dependencies.csv``, ``needs.csv``).

>>> landscape = generate(200, seed=1)
>>> len(landscape.objects)
200
>>> landscape == generate(200, seed=1)
True
>>> 3.0 < len(landscape.dependencies) / len(landscape.objects) < 5.0
True
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

OBJECT_COLUMNS = ("id", "type", "name", "description", "tags", "count")
DEPENDENCY_COLUMNS = ("object", "depends_on", "redundancy_group", "note")
NEED_COLUMNS = (
    "object", "confidentiality", "integrity", "availability",
    "confidentiality_reason", "integrity_reason", "availability_reason", "effect",
)

#: The smallest landscape :func:`generate` builds: one of every kind of object.
MIN_OBJECTS = 40

SETTINGS_YAML = """\
name: Synthetische Verwaltung ({n} Zielobjekte, seed {seed})
organisation: Benchmark
edition: kompendium-2023
variant: standard
cumulation:
  - name: Verfügbarkeit Infrastruktur
    basic_value: availability
    types: [server, network_device, network, room]
    min_dependents: 5
    at_level: normal
    raise_to: hoch
    candidate_margin: 1
    reason: Der Ausfall trifft viele Zielobjekte zugleich.
  - name: Verfügbarkeit zentrale Infrastruktur
    basic_value: availability
    types: [server, network, room]
    min_dependents: 20
    at_level: hoch
    raise_to: sehr hoch
    candidate_margin: 5
    reason: Viele wichtige Zielobjekte fallen zugleich aus.
  - name: Vertraulichkeit Datenbestände
    basic_value: confidentiality
    types: [server]
    min_dependents: 10
    at_level: hoch
    raise_to: sehr hoch
    candidate_margin: 2
    reason: Viele vertrauliche Datenbestände auf einem System.
distribution:
  enabled: true
  basic_values: [availability]
  lower_by: 1
"""

# Share of each kind of object; clients take whatever is left.
_SHARES = {
    "process": 0.03,
    "application": 0.08,
    "vm": 0.075,
    "hypervisor": 0.012,
    "storage": 0.004,
    "network_device": 0.03,
    "network": 0.01,
    "room": 0.015,
    "building": 0.004,
    "service": 0.005,
    "printer": 0.06,
    "mobile": 0.03,
}
_MINIMUM = {
    "process": 2, "application": 4, "vm": 4, "hypervisor": 2, "storage": 1,
    "network_device": 2, "network": 2, "room": 2, "building": 1, "service": 1,
    "printer": 1, "mobile": 1,
}
_LEVELS = ("normal", "hoch", "sehr hoch")
# Level weights (normal, hoch, sehr hoch) per basic value, for processes and applications.
_SKEW = {
    "confidentiality": (65, 28, 7),
    "integrity": (60, 33, 7),
    "availability": (70, 25, 5),
}
_REASONS = {
    "confidentiality": (
        "personenbezogene Daten", "Sozialdaten", "Steuerdaten", "öffentliche Informationen",
        "interne Vermerke", "Personalakten", "Gesundheitsdaten", "Vergabeunterlagen",
    ),
    "integrity": (
        "Register mit Beweiskraft", "Zahlungen müssen stimmen", "Bescheide müssen korrekt sein",
        "Fehler fallen schnell auf", "Grundlage für Entscheidungen", "Fristen hängen daran",
    ),
    "availability": (
        "Ausfall einen Tag tragbar", "Bürgerservice steht sonst still", "Fristen laufen weiter",
        "Ausfall eine Woche tragbar", "Notbetrieb auf Papier möglich", "Auszahlungen verzögern sich",
    ),
}


@dataclass(frozen=True)
class Landscape:
    """A synthetic assessment: the text of ``assessment.yaml`` and the rows of
    the three tables, each row a tuple in the order of the ``*_COLUMNS``."""

    settings: str
    objects: tuple[tuple[str, ...], ...]
    dependencies: tuple[tuple[str, ...], ...]
    needs: tuple[tuple[str, ...], ...]

    def type_counts(self) -> dict[str, int]:
        """How many objects of each type the landscape has."""
        return dict(Counter(row[1] for row in self.objects))


def generate(n_objects: int, seed: int = 0) -> Landscape:
    """Build a synthetic landscape of exactly ``n_objects`` objects.

    Pure and deterministic: the same ``n_objects`` and ``seed`` give the same
    landscape. ``n_objects`` must be at least :data:`MIN_OBJECTS`.
    """
    if n_objects < MIN_OBJECTS:
        raise ValueError(f"n_objects must be at least {MIN_OBJECTS}")
    return _Builder(n_objects, random.Random(seed)).build(SETTINGS_YAML.format(n=n_objects, seed=seed))


def write_synthetic(folder: str | Path, n_objects: int, seed: int = 0) -> Path:
    """Write a synthetic landscape as an assessment folder and return its path.

    The folder is created if needed; existing files of the same names are
    replaced.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    landscape = generate(n_objects, seed)
    (folder / "assessment.yaml").write_text(landscape.settings, encoding="utf-8")
    for name, columns, rows in (
        ("objects.csv", OBJECT_COLUMNS, landscape.objects),
        ("dependencies.csv", DEPENDENCY_COLUMNS, landscape.dependencies),
        ("needs.csv", NEED_COLUMNS, landscape.needs),
    ):
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
    return folder


class _Builder:
    """The working state of one :func:`generate` call."""

    def __init__(self, n_objects: int, rng: random.Random) -> None:
        self.n = n_objects
        self.rng = rng
        self.objects: list[tuple[str, ...]] = []
        self.dependencies: list[tuple[str, ...]] = []
        self.needs: list[tuple[str, ...]] = []
        self.width = len(str(n_objects))

    # -- helpers ---------------------------------------------------------

    def _counts(self) -> dict[str, int]:
        counts = {kind: max(_MINIMUM[kind], round(share * self.n)) for kind, share in _SHARES.items()}
        counts["pairs"] = max(1, round(self.n / 1000))  # domain controller + DNS server
        counts["client"] = self.n - sum(counts.values()) - counts["pairs"]
        return counts

    def _add(self, prefix: str, number: int, kind: str, name: str, tags: str = "", count: int = 1) -> str:
        object_id = f"{prefix}-{number:0{self.width}d}"
        self.objects.append((object_id, kind, name, "", tags, "" if count == 1 else str(count)))
        return object_id

    def _edge(self, source: str, target: str, group: str = "", note: str = "") -> None:
        self.dependencies.append((source, target, group, note))

    def _edges(self, source: str, targets, group: str = "") -> None:
        for target in targets:
            self.dependencies.append((source, target, group, ""))

    def _level(self, basic_value: str) -> str:
        return self.rng.choices(_LEVELS, weights=_SKEW[basic_value])[0]

    def _need_row(self, object_id: str, blank: float) -> tuple[str, ...]:
        levels, reasons = [], []
        for value in ("confidentiality", "integrity", "availability"):
            if self.rng.random() < blank:
                levels.append("")
                reasons.append("")
            else:
                levels.append(self._level(value))
                reasons.append(self.rng.choice(_REASONS[value]))
        return (object_id, *levels, *reasons, "")

    # -- the landscape ---------------------------------------------------

    def build(self, settings: str) -> Landscape:
        rng = self.rng
        counts = self._counts()

        buildings = [self._add("B", i, "building", f"Gebäude {i}") for i in range(1, counts["building"] + 1)]
        n_server_rooms = max(1, counts["room"] // 10)
        rooms = []
        for i in range(1, counts["room"] + 1):
            server_room = i <= n_server_rooms
            rooms.append(self._add("R", i, "room", f"{'Serverraum' if server_room else 'Büro'} {i}",
                                   "serverraum" if server_room else ""))
            self._edge(rooms[-1], buildings[(i - 1) % len(buildings)])
        server_rooms, office_rooms = rooms[:n_server_rooms], rooms[n_server_rooms:] or rooms

        devices = []
        for i in range(1, counts["network_device"] + 1):
            devices.append(self._add("NWD", i, "network_device", f"Switch {i}", "hersteller=synthetisch"))
            self._edge(devices[-1], rng.choice(server_rooms if i % 4 == 0 else office_rooms))
        n_server_nets = max(1, counts["network"] // 4)
        networks = []
        for i in range(1, counts["network"] + 1):
            server_net = i <= n_server_nets
            networks.append(self._add("NET", i, "network", f"{'Servernetz' if server_net else 'Clientnetz'} {i}"))
        # every network device serves one network; networks left without a
        # device of their own (only in tiny landscapes) use the first one
        for i, device in enumerate(devices):
            self._edge(networks[i % len(networks)], device)
        for network in networks[len(devices):]:
            self._edge(network, devices[0])
        server_nets, client_nets = networks[:n_server_nets], networks[n_server_nets:] or networks

        storage = []
        for i in range(1, counts["storage"] + 1):
            storage.append(self._add("STO", i, "server", f"Speichersystem {i}", "rolle=storage"))
            self._edges(storage[-1], (rng.choice(server_rooms), rng.choice(server_nets)))
        clusters: list[tuple[str, list[str]]] = []
        hypervisors = []
        for i in range(1, counts["hypervisor"] + 1):
            hypervisors.append(self._add("HV", i, "server", f"Virtualisierungshost {i}", "rolle=hypervisor"))
            self._edge(hypervisors[-1], rng.choice(server_rooms))
            self._edges(hypervisors[-1], rng.sample(server_nets, min(2, len(server_nets))))
            self._edge(hypervisors[-1], rng.choice(storage))
        for start in range(0, len(hypervisors), 3):
            members = hypervisors[start:start + 3]
            if len(members) < 2:
                clusters[-1][1].extend(members)
            else:
                clusters.append((f"cluster-{len(clusters) + 1}", members))

        def virtual_server(object_id: str) -> str:
            group, members = rng.choice(clusters)
            self._edges(object_id, rng.sample(members, 2), group)
            self._edges(object_id, (rng.choice(storage), rng.choice(server_nets)))
            return object_id

        controllers = []
        for i in range(1, counts["pairs"] + 1):
            dc = virtual_server(self._add("DC", i, "server", f"Domänencontroller {i}", "os=windows;rolle=dc"))
            dns = virtual_server(self._add("DNS", i, "server", f"DNS-Server {i}", "os=linux;rolle=dns"))
            self._edge(dc, dns, note="Namensauflösung")
            self._edge(dns, dc, note="Anmeldung")  # the cycle of a directory service
            controllers.append(dc)

        servers = []
        for i in range(1, counts["vm"] + 1):
            os_tag = "os=linux" if rng.random() < 0.6 else "os=windows"
            servers.append(virtual_server(self._add("SRV", i, "server", f"Server {i}", os_tag)))
            if rng.random() < 0.6:
                self._edge(servers[-1], rng.choice(controllers))

        services = []
        for i in range(1, counts["service"] + 1):
            services.append(self._add("SVC", i, "service", f"Dienstleister {i}", "extern"))
            self._edge(services[-1], rng.choice(server_nets))

        printers = []
        for i in range(1, counts["printer"] + 1):
            printers.append(self._add("PR", i, "printer", f"Multifunktionsgerät {i}"))
            self._edges(printers[-1], (rng.choice(client_nets), rng.choice(office_rooms)))

        # Departments: a client network, an office room, a file server, printers.
        n_departments = max(1, counts["client"] // 60)
        departments = [
            {
                "network": rng.choice(client_nets),
                "room": rng.choice(office_rooms),
                "file_server": rng.choice(servers),
                "printers": [],
                "apps": [],
            }
            for _ in range(n_departments)
        ]
        for i, printer in enumerate(printers):
            departments[i % n_departments]["printers"].append(printer)

        applications = []
        for i in range(1, counts["application"] + 1):
            app = self._add("APP", i, "application", f"Fachanwendung {i}", rng.choice(("source=vorlage", "")))
            applications.append(app)
            # every server hosts at least one application
            hosts = [servers[(i - 1) % len(servers)]]
            while len(hosts) < rng.choice((1, 1, 2, 3)):
                host = rng.choice(servers)
                if host not in hosts:
                    hosts.append(host)
            if len(hosts) == 2 and rng.random() < 0.5:
                self._edges(app, hosts, f"lb-{i}")
            else:
                self._edges(app, hosts)
            if len(applications) > 1 and rng.random() < 0.4:
                self._edge(app, rng.choice(applications[: max(1, len(applications) // 4)]), note="Schnittstelle")
            if rng.random() < 0.2:
                self._edge(app, rng.choice(services))
            rng.choice(departments)["apps"].append(app)
        for department in departments:
            if not department["apps"]:
                department["apps"].append(rng.choice(applications))

        for i in range(1, counts["process"] + 1):
            process = self._add("GP", i, "process", f"Geschäftsprozess {i}")
            # popular applications (low numbers) are used by many processes
            used = {applications[min(int(rng.paretovariate(1.2)) - 1, len(applications) - 1)]}
            while len(used) < rng.choice((2, 3, 3, 4, 5)):
                used.add(rng.choice(applications))
            self._edges(process, sorted(used))
            if i > 1 and rng.random() < 0.1:
                self._edge(process, f"GP-{rng.randint(1, i - 1):0{self.width}d}", note="Teilprozess")

        for i in range(1, counts["client"] + 1):
            department = rng.choice(departments)
            count = rng.choice((5, 10, 20)) if rng.random() < 0.1 else 1
            client = self._add("CL", i, "client", f"Arbeitsplatz {i}", "os=windows11", count)
            apps = department["apps"]
            first = rng.choice(apps)
            self._edge(first, client)
            if len(apps) > 1 and rng.random() < 0.3:
                self._edge(apps[0] if apps[0] != first else apps[1], client)
            self._edges(client, (department["network"], department["room"]))
            if rng.random() < 0.6:
                self._edge(client, rng.choice(controllers))
            if rng.random() < 0.3:
                self._edge(client, department["file_server"])
            if department["printers"] and rng.random() < 0.4:
                self._edge(client, rng.choice(department["printers"]))

        for i in range(1, counts["mobile"] + 1):
            mobile = self._add("MOB", i, "mobile", f"Diensthandy {i}", "mdm")
            self._edge(applications[0], mobile)  # the groupware runs on every phone
            self._edges(mobile, (rng.choice(client_nets), rng.choice(services)))

        for process in (row[0] for row in self.objects if row[1] == "process"):
            self.needs.append(self._need_row(process, blank=0.01))
        for app in applications:
            if rng.random() < 0.03:
                continue  # not yet assessed at all
            self.needs.append(self._need_row(app, blank=0.02))
        for i, server in enumerate(rng.sample(servers, max(1, self.n // 1000))):
            effect, reason = (
                ("distribution", "Dienst läuft auf zwei Standorten") if i % 2 else
                ("manual", "Wiederanlauf innerhalb einer Stunde erprobt")
            )
            self.needs.append((server, "", "", "normal", "", "", reason, effect))

        return Landscape(settings, tuple(self.objects), tuple(self.dependencies), tuple(self.needs))
