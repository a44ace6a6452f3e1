"""OSCAL out and back: SSP, assessment plan, assessment results and POA&M, read by a real OSCAL implementation.

Every exported document is loaded with compliance-trestle's OSCAL 1.1.3
models (``oscal_read``) and checked by trestle's validators where they apply;
every internal reference (``*-uuid``, ``role-id``, ``href``, the resource
fragments) is resolved; the statuses are counted against ``grundschutz check
-f csv``, the risks against the rows of ``risks.csv`` read with :mod:`csv`,
the POA&M against ``grundschutz plan -f csv``. Worked on ``assessments/haan``
(Kompendium 2023) and ``assessments/haan-gspp`` (Grundschutz++).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import HAAN, REPO

from grundschutz.cli import main

GSPP = REPO / "assessments" / "haan-gspp"
DOCUMENTS = ("ssp", "ap", "ar", "poam")
ROOTS = {"ssp": "system-security-plan", "ap": "assessment-plan", "ar": "assessment-results",
         "poam": "plan-of-action-and-milestones"}
#: The documents each document imports (import-ssp / import-ap), transitively.
CHAIN = {"ssp": (), "ap": ("ssp",), "ar": ("ap", "ssp"), "poam": ("ssp",)}
#: The status mapping of the issue: check status -> OSCAL implementation-status state.
ISSUE_STATES = {"ja": "implemented", "teilweise": "partial", "nein": "planned", "unbearbeitet": "planned",
                "entbehrlich": "not-applicable"}
NS = "https://grundschutz.invalid/ns/oscal"
BSI_NS = "https://github.com/BSI-Bund/Stand-der-Technik-Bibliothek/tree/main/documentation/namespaces/"


def run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def load(folder: Path, kind: str) -> dict:
    return json.loads((folder / f"{kind}.json").read_text(encoding="utf-8"))[ROOTS[kind]]


def own(item: dict, name: str) -> list[str]:
    """Values of this toolkit's props ``name`` of an item."""
    return [p["value"] for p in item.get("props", ()) if p.get("ns") == NS and p["name"] == name]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def export(folder: Path, out: Path, catalogs: Path, *extra) -> str:
    result = run("oscal", "export", folder, "-o", out, "--catalogs", catalogs, *extra)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def exports(shared_catalogs, tmp_path_factory):
    """The examples exported once each, on first use: folder -> (folder, output folder, export message)."""
    done: dict[Path, tuple[Path, Path, str]] = {}

    def get(folder: Path) -> tuple[Path, Path, str]:
        if folder not in done:
            out = tmp_path_factory.mktemp(f"oscal-{folder.name}")
            done[folder] = (folder, out, export(folder, out, shared_catalogs))
        return done[folder]

    return get


@pytest.fixture(params=["haan", "haan-gspp"])
def exported(request, exports):
    """(assessment folder, output folder, export message) of each example (do not write into it)."""
    return exports(HAAN if request.param == "haan" else GSPP)


# --------------------------------------------------------------------------- a real OSCAL implementation


def test_every_document_parses_with_trestles_oscal_models_and_passes_its_validators(exported):
    """compliance-trestle 3.x models OSCAL 1.1.3 strictly (required fields, patterns of uuids, tokens and
    strings, no unknown keys); its duplicates validator checks that no uuid is defined twice. (Its other
    validators check nothing here: responsible parties, catalogs, and links only as warnings; the
    rule-parameter validator resolves the SSP's profile, see the Grundschutz++ test below.)"""
    from trestle.core.duplicates_validator import DuplicatesValidator
    from trestle.oscal import OSCAL_VERSION
    from trestle.oscal.assessment_plan import AssessmentPlan
    from trestle.oscal.assessment_results import AssessmentResults
    from trestle.oscal.poam import PlanOfActionAndMilestones
    from trestle.oscal.ssp import SystemSecurityPlan

    _, out, _ = exported
    assert OSCAL_VERSION == "1.1.3"
    models = {"ssp": SystemSecurityPlan, "ap": AssessmentPlan, "ar": AssessmentResults,
              "poam": PlanOfActionAndMilestones}
    for kind, model in models.items():
        document = model.oscal_read(out / f"{kind}.json")
        assert document.metadata.oscal_version.__root__ == "1.1.3"
        assert DuplicatesValidator().model_is_valid(document, True), kind


def test_trestle_finds_what_is_wrong_in_a_document(exports, tmp_path):
    """The check above can fail: a risk with an unknown key, a uuid defined twice."""
    from pydantic.v1 import ValidationError
    from trestle.common.err import TrestleError
    from trestle.core.duplicates_validator import DuplicatesValidator
    from trestle.oscal.assessment_results import AssessmentResults

    _, out, _ = exports(GSPP)
    document = load(out, "ar")
    document["results"][0]["risks"][0]["remarks"] = "OSCAL 1.1.3 kennt remarks an einem Risiko nicht"
    _write(document, "ar", tmp_path / "ar.json")
    with pytest.raises((TrestleError, ValidationError)):
        AssessmentResults.oscal_read(tmp_path / "ar.json")
    document = load(out, "ar")
    findings = document["results"][0]["findings"]
    findings[1]["uuid"] = findings[0]["uuid"]
    _write(document, "ar", tmp_path / "ar.json")
    assert not DuplicatesValidator().model_is_valid(AssessmentResults.oscal_read(tmp_path / "ar.json"), True)


def test_the_gspp_ssp_names_only_controls_of_the_bsi_profile_as_trestle_resolves_it(exports, shared_catalogs,
                                                                                       tmp_path):
    """trestle resolves the BSI profile "Anwenderkatalog Grundschutz++" from the local files (the
    Kernel-G0 catalog it imports is not published, the Kernel stands in, as in the toolkit): every control
    id of the SSP is a control of that catalog. (trestle's rule-parameter validator resolves the profile
    the same way and then compares set-parameters of rules, which the SSP has none of.)"""
    from trestle.core.catalog.catalog_interface import CatalogInterface
    from trestle.core.profile_resolver import ProfileResolver
    from trestle.oscal.ssp import SystemSecurityPlan

    _, out, _ = exports(GSPP)
    profiles = shared_catalogs / "BSI-Bund_Stand-der-Technik-Bibliothek/control_layer/Grundschutz++/sources/profiles"
    profile = json.loads((profiles / "Grundschutz++-profile.json").read_text(encoding="utf-8"))
    for item in profile["profile"]["back-matter"]["resources"]:
        for rlink in item.get("rlinks", ()):
            if rlink["href"].startswith(".."):
                rlink["href"] = str((profiles / rlink["href"]).resolve()).replace("-G0-", "-")
    workspace = tmp_path / "trestle"
    (workspace / ".trestle").mkdir(parents=True)
    (workspace / "profile.json").write_text(json.dumps(profile), encoding="utf-8")
    catalog = ProfileResolver.get_resolved_profile_catalog(workspace, str(workspace / "profile.json"))
    controls = set(CatalogInterface(catalog).get_control_ids())
    ssp = SystemSecurityPlan.oscal_read(out / "ssp.json")
    used = [r.control_id for r in ssp.control_implementation.implemented_requirements]
    assert len(used) > 500 and set(used) <= controls  # ~600: undecided controls without category are not selected
    assert ssp.import_profile.href.endswith("/Grundschutz%2B%2B-profile.json")


def objects_in(node):
    """Every JSON object in a document, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from objects_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects_in(value)


def _defined(document: dict) -> tuple[set[str], set[str], set[str]]:
    """uuids, role ids and back-matter resource uuids defined in a document."""
    uuids = {node["uuid"] for node in objects_in(document) if isinstance(node.get("uuid"), str)}
    roles = {r["id"] for r in document["metadata"].get("roles", ())}
    resources = {r["uuid"] for r in document.get("back-matter", {}).get("resources", ())}
    return uuids, roles, resources


def unresolved(out: Path, kind: str, controls: set[str], gspp_controls: set[str]) -> list[str]:
    """Every reference of document ``kind`` that does not resolve in it or the documents it imports."""
    from grundschutz.catalog import official_sources

    urls = {url for source in official_sources().values() for url in source.urls}
    document = load(out, kind)
    uuids, roles, resources = _defined(document)
    for other in CHAIN[kind]:
        more = _defined(load(out, other))
        uuids |= more[0]
        roles |= more[1]
    ssp_controls = {r["control-id"] for r in load(out, "ssp")["control-implementation"]["implemented-requirements"]}
    profile = {r["uuid"] for r in document.get("back-matter", {}).get("resources", ())
               if "gspp-profile" in own(r, "source-key")}
    bad = []

    def walk(node, path):
        if isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            where = f"{path}.{key}"
            if key.endswith("-uuid") and value not in uuids:
                bad.append(f"{where} = {value}")
            elif key == "role-id" and value not in roles or key == "role-ids" and not set(value) <= roles:
                bad.append(f"{where} = {value}")
            elif key == "href":
                if value.startswith("#"):
                    ok = value[1:] in resources
                elif "://" in value:
                    ok = value in urls
                else:
                    ok = (out / value).is_file() and value in ("ssp.json", "ap.json")
                if not ok:
                    bad.append(f"{where} = {value}")
            elif key == "control-id" and value not in controls:
                bad.append(f"{where} = {value}")
            elif key == "target-id" and value.removesuffix("_stm") not in ssp_controls:
                bad.append(f"{where} = {value}")
            elif key == "resource-fragment" and not (node["href"][1:] in profile and value in gspp_controls):
                bad.append(f"{where} = {value}")
            walk(value, where)

    walk(document, ROOTS[kind])
    return bad


def test_every_internal_reference_resolves(exported, shared_catalogs):
    """uuid references within a document and along import-ssp/import-ap, role ids, back-matter links,
    published addresses (sources.yaml), the Grundschutz++ controls of the mapping links, control ids
    (the Kompendium's requirements or the Grundschutz++ controls in force)."""
    from grundschutz.catalog import load_catalog

    folder, out, _ = exported
    catalog = load_catalog(shared_catalogs)
    gspp_controls = set(catalog.gspp().controls)
    controls = gspp_controls if folder == GSPP else set(catalog.kompendium.requirements)
    for kind in DOCUMENTS:
        assert unresolved(out, kind, controls, gspp_controls) == [], kind
    assert load(out, "ap")["import-ssp"]["href"] == "ssp.json"
    assert load(out, "ar")["import-ap"]["href"] == "ap.json"
    assert load(out, "poam")["import-ssp"]["href"] == "ssp.json"


# --------------------------------------------------------------------------- content against the CLI


def _components(ssp: dict) -> dict[str, str]:
    return {c["uuid"]: own(c, "object-id")[0] for c in ssp["system-implementation"]["components"]}


def test_every_selected_requirement_appears_with_its_status_counted_against_check_csv(exported, shared_catalogs):
    folder, out, _ = exported
    ssp = load(out, "ssp")
    objects = _components(ssp)
    counted: dict[str, Counter] = {}
    pairs = set()
    for requirement in ssp["control-implementation"]["implemented-requirements"]:
        for item in requirement["by-components"]:
            status = own(item, "status")[0]
            assert item["implementation-status"]["state"] == ISSUE_STATES[status]
            object_id = objects[item["component-uuid"]]
            counted.setdefault(object_id, Counter())[status] += 1
            pairs.add((object_id, requirement["control-id"]))
    coverage = csv_rows(run("check", folder, "-f", "csv", "--catalogs", shared_catalogs).output)
    assert len(coverage) == len(counted)
    for row in coverage:
        assert {s: counted[row["object"]][s] for s in ISSUE_STATES} == {s: int(row[s]) for s in ISSUE_STATES}
    selected = csv_rows(run("requirements", folder, "-f", "csv", "--catalogs", shared_catalogs).output)
    assert pairs == {(r["object"], r["requirement"]) for r in selected if r["selected"] == "ja"}


def test_entbehrlich_carries_its_reason_and_the_check_columns_come_along(exported):
    folder, out, _ = exported
    rows = {(r["object"], r["requirement"]): r for r in csv_rows((folder / "check.csv").read_text(encoding="utf-8"))}
    ssp = load(out, "ssp")
    objects = _components(ssp)
    roles = {r["id"]: r["title"] for r in ssp["metadata"]["roles"]}
    seen = 0
    for requirement in ssp["control-implementation"]["implemented-requirements"]:
        for item in requirement["by-components"]:
            row = rows.get((objects[item["component-uuid"]], requirement["control-id"]))
            if row is None:
                continue
            seen += 1
            assert item["implementation-status"].get("remarks", "") == row["note"]
            assert [roles[r["role-id"]] for r in item.get("responsible-roles", ())] == (
                [row["responsible"]] if row["responsible"] else [])
            assert own(item, "due") == ([row["due"]] if row["due"] else [])
            assert own(item, "checked-on") == ([row["checked_on"]] if row["checked_on"] else [])
            if row["status"] == "entbehrlich":
                assert item["implementation-status"] == {"state": "not-applicable", "remarks": row["note"]}
    assert seen == len(rows)


def test_the_findings_are_the_requirements_not_implemented(exported, shared_catalogs):
    folder, out, _ = exported
    result = load(out, "ar")["results"][0]
    observations = {o["uuid"]: o["subjects"][0]["subject-uuid"] for o in result["observations"]}
    objects = _components(load(out, "ssp"))
    counted = Counter(objects[observations[f["related-observations"][0]["observation-uuid"]]]
                      for f in result["findings"])
    coverage = csv_rows(run("check", folder, "-f", "csv", "--catalogs", shared_catalogs).output)
    assert counted == {r["object"]: int(r["teilweise"]) + int(r["nein"]) + int(r["unbearbeitet"])
                       for r in coverage if int(r["teilweise"]) + int(r["nein"]) + int(r["unbearbeitet"])}
    assert {f["target"]["status"]["state"] for f in result["findings"]} == {"not-satisfied"}


def test_every_risks_csv_row_is_an_oscal_risk(exported):
    """200-3: frequency and impact as facets, category, treatment as response, who accepted."""
    folder, out, _ = exported
    rows = csv_rows((folder / "risks.csv").read_text(encoding="utf-8"))
    risks = {(own(r, "object-id")[0], own(r, "threat")[0]): r for r in load(out, "ar")["results"][0]["risks"]}
    assert len(risks) == len(rows) > 10
    statuses = {"vermeiden": "remediating", "reduzieren": "remediating", "transferieren": "remediating",
                "akzeptieren": "deviation-approved"}
    for row in rows:
        risk = risks[(row["object"], row["threat"].replace("G0", "G 0"))]
        facets = {f["name"]: f["value"] for c in risk.get("characterizations", ()) for f in c["facets"]}
        assert (facets.get("frequency", ""), facets.get("impact", "")) == (row["frequency"], row["impact"])
        if row["residual_frequency"]:
            assert (facets["residual-frequency"], facets["residual-impact"]) == (
                row["residual_frequency"], row["residual_impact"])
        assert ("risk" in facets) == bool(row["frequency"])
        assert risk["status"] == (statuses[row["treatment"]] if row["treatment"] else
                                  "open" if row["frequency"] else "investigating")
        if row["treatment"]:
            assert own(risk["remediations"][0], "treatment") == [row["treatment"]]
        assert own(risk, "accepted-by") == ([row["accepted_by"]] if row["accepted_by"] else [])
        assert own(risk, "accepted-on") == ([row["accepted_on"]] if row.get("accepted_on") else [])
        if row["threat"].startswith("G "):
            assert risk["threat-ids"][0]["id"].endswith("basethreats.csv#" + row["threat"].replace(" ", "%20"))
    accepted = [r for r in rows if r["treatment"] == "akzeptieren"]
    assert accepted and all(risks[(r["object"], r["threat"])]["remediations"][0]["lifecycle"] == "completed"
                            for r in accepted)


def test_who_accepted_a_risk_or_a_residual_risk_and_when(gspp_copy, shared_catalogs, tmp_path):
    """BSI-Standard 200-3, Risikobehandlung: a risk taken over (``akzeptieren``) and the residual risk
    after ``reduzieren`` accepted by the management are the risk's ``accepted-by``/``accepted-on`` and the
    response's ``accepted-by``; a German date in risks.csv comes out as the ISO date."""
    copy, _ = gspp_copy
    path = copy / "risks.csv"
    rows = csv_rows(path.read_text(encoding="utf-8"))
    accepted = {("R-01", "G 0.5"): ("Bürgermeisterin", "10.06.2024", "2024-06-10"),
                ("SRV-01", "Z-1"): ("Verwaltungsvorstand", "2024-06-17", "2024-06-17")}
    for row in rows:
        who, when, _ = accepted.get((row["object"], row["threat"]), (row["accepted_by"], "", ""))
        row["accepted_by"], row["accepted_on"] = who, when
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [*rows[0]])
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "accepted"
    export(copy, out, shared_catalogs)
    risks = {(own(r, "object-id")[0], own(r, "threat")[0]): r for r in load(out, "ar")["results"][0]["risks"]}
    assert len(risks) == len(rows)
    for key, (who, _, iso) in accepted.items():
        assert (own(risks[key], "accepted-by"), own(risks[key], "accepted-on")) == ([who], [iso]), key
        assert own(risks[key]["remediations"][0], "accepted-by") == [who], key
    assert risks[("SRV-01", "Z-1")]["status"] == "remediating"
    assert own(risks[("SRV-01", "Z-1")]["remediations"][0], "treatment") == ["reduzieren"]
    others = [r for key, r in risks.items() if key not in accepted]
    assert others and not any(own(r, "accepted-on") for r in others)


def test_the_poam_has_every_line_of_the_work_plan_with_reason_and_object(exported, shared_catalogs):
    folder, out, _ = exported
    plan = csv_rows(run("plan", folder, "-n", "0", "-f", "csv", "--catalogs", shared_catalogs).output)
    poam = load(out, "poam")
    items = poam["poam-items"]
    assert len(items) == len(plan)
    observations = {o["uuid"]: own(o, "object-id")[0] for o in poam["observations"]}
    risks = {r["uuid"]: own(r, "threat")[0] for r in poam.get("risks", ())}
    for line, item in zip(plan, items, strict=True):
        assert item["description"] == " ".join(line["reason"].split())
        assert own(item, "rank") == [line["rank"]] and own(item, "kind") == [line["kind"]]
        assert observations[item["related-observations"][0]["observation-uuid"]] == line["object"]
        if line["kind"] == "risikobehandlung":
            assert risks[item["related-risks"][0]["risk-uuid"]] == line["subject"]


def test_bsi_props_keep_the_namespaces_of_the_bsi_catalogs(exported, shared_catalogs):
    """The namespaces of sec_level, effort_level and target_object_categories as the Kernel catalog writes them."""
    folder, out, _ = exported
    kernel = json.loads((shared_catalogs / "BSI-Bund_Stand-der-Technik-Bibliothek/control_layer/Grundschutz++/"
                         "sources/catalogs/Kernel/BSI-Stand-der-Technik-Kernel-catalog.json").read_text("utf-8"))
    namespaces: dict[str, set[str]] = {}
    for node in objects_in(kernel):
        if "name" in node and "ns" in node:
            namespaces.setdefault(node["name"], set()).add(node["ns"])
    expected = {name: namespaces[name].pop() for name in ("sec_level", "effort_level", "target_object_categories")
                if len(namespaces[name]) == 1}
    assert expected == {n: BSI_NS + f for n, f in (("sec_level", "security_level.csv"),
                                                   ("effort_level", "effort_level.csv"),
                                                   ("target_object_categories", "target_object_categories.csv"))}
    ssp = load(out, "ssp")
    found = [p for r in ssp["control-implementation"]["implemented-requirements"] for p in r.get("props", ())]
    found += [p for c in ssp["system-implementation"]["components"] for p in c["props"]]
    bsi = {p["name"]: p["ns"] for p in found if p["name"] in expected}
    assert bsi == (expected if folder == GSPP else {})


def test_kompendium_requirements_link_the_controls_the_bsi_mapping_names(exported, shared_catalogs):
    """The official mapping (raw JSON): a requirement links exactly the Grundschutz++ controls in force that a
    sub-requirement of it maps to, with the relationship; the export says how many requirements have one."""
    folder, out, message = exported
    if folder != HAAN:
        assert "Mapping" not in message
        return
    from grundschutz.catalog import load_catalog

    mapping = json.loads((shared_catalogs / "BSI-Bund_Stand-der-Technik-Bibliothek/control_layer/Mappings/"
                          "IT-GS2023-zu-GSpp/ITGS-to-GS++-mapping_collection.json").read_text("utf-8"))
    in_force = set(load_catalog(shared_catalogs).gspp().controls)
    expected: dict[str, set[tuple[str, str]]] = {}
    for block in mapping["mapping-collection"]["mappings"]:
        for item in block["maps"]:
            target = item["targets"][0]["id-ref"]
            if target in in_force:
                requirement = item["sources"][0]["id-ref"].split("-UA.")[0]
                expected.setdefault(requirement, set()).add((target, item["relationship"]))
    requirements = load(out, "ssp")["control-implementation"]["implemented-requirements"]
    linked = {r["control-id"]: {(link["resource-fragment"], link["text"].split("BSI-Mapping: ")[1].rstrip(")"))
                                for link in r["links"]} for r in requirements if "links" in r}
    assert linked == {r["control-id"]: expected[r["control-id"]] for r in requirements
                      if r["control-id"] in expected}
    assert f"Grundschutz++-Mapping: {len(linked)} von {len(requirements)} Anforderungen haben eine Zuordnung" in message


# --------------------------------------------------------------------------- out and back


def test_ssp_round_trip_is_byte_identical(exported, shared_catalogs, tmp_path):
    """The time stamp is the newest date checked; export, import unchanged (nothing written, every byte of
    the folder kept), export again: same bytes."""
    folder, out, _ = exported
    newest = max(r["checked_on"] for r in csv_rows((folder / "check.csv").read_text(encoding="utf-8")))
    assert {load(out, kind)["metadata"]["last-modified"] for kind in DOCUMENTS} == {f"{newest}T00:00:00Z"}
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    before = digest(copy)
    result = run("oscal", "import", copy, out / "ssp.json", out / "ar.json", "--apply", "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    assert "Keine Änderungen" in result.output and "Nichts geschrieben." in result.output
    assert digest(copy) == before
    again = tmp_path / "again"
    export(copy, again, shared_catalogs)
    for kind in DOCUMENTS:
        assert (again / f"{kind}.json").read_bytes() == (out / f"{kind}.json").read_bytes(), kind


def test_an_ssp_rewritten_by_trestle_imports_without_change(exports, shared_catalogs, tmp_path):
    """An auditor's tool reads and writes the SSP (other key order and layout): nothing changes."""
    from trestle.oscal.ssp import SystemSecurityPlan

    _, out, _ = exports(GSPP)
    rewritten = tmp_path / "trestle-ssp.json"
    SystemSecurityPlan.oscal_read(out / "ssp.json").oscal_write(rewritten)
    assert rewritten.read_bytes() != (out / "ssp.json").read_bytes()
    result = run("oscal", "import", GSPP, rewritten, "--catalogs", shared_catalogs)
    assert result.exit_code == 0, result.output
    assert "Keine Änderungen" in result.output


@pytest.fixture()
def gspp_copy(tmp_path, shared_catalogs):
    """A writable copy of the Grundschutz++ example and its export."""
    copy = tmp_path / "haan-gspp"
    shutil.copytree(GSPP, copy)
    export(copy, tmp_path / "out", shared_catalogs)
    return copy, tmp_path / "out"


def _by_component(ssp: dict, object_id: str, control: str) -> dict:
    objects = _components(ssp)
    for requirement in ssp["control-implementation"]["implemented-requirements"]:
        if requirement["control-id"] == control:
            for item in requirement["by-components"]:
                if objects[item["component-uuid"]] == object_id:
                    return item
    raise KeyError((object_id, control))


def _write(document: dict, kind: str, path: Path) -> Path:
    path.write_text(json.dumps({ROOTS[kind]: document}, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_auditors_edits_come_back_into_check_csv_cell_by_cell(gspp_copy, shared_catalogs, tmp_path):
    folder, out = gspp_copy
    ssp = load(out, "ssp")
    done = _by_component(ssp, "SRV-01", "DET.5.4")  # nein, IT-Leitung, due 2025-09-30
    done["implementation-status"] = {"state": "implemented", "remarks": "Penetrationstest 11/2024 durchgeführt."}
    done["props"] = [p for p in done["props"] if p["name"] != "due"]
    new = _by_component(ssp, "APP-01", "DEV.4.4")  # unbearbeitet, no row yet
    new["implementation-status"] = {"state": "partial", "remarks": "Signaturprüfung nur für Updates."}
    new["responsible-roles"] = [{"role-id": "rolle-it-leitung"}]
    ar = load(out, "ar")
    finding = next(f for f in ar["results"][0]["findings"] if own(f, "requirement") == ["PERS.6.1.1"])
    finding["target"]["status"]["state"] = "satisfied"
    finding["target"]["implementation-status"]["state"] = "implemented"
    before = (folder / "check.csv").read_text(encoding="utf-8")
    files = [_write(ssp, "ssp", tmp_path / "ssp-pruefer.json"), _write(ar, "ar", tmp_path / "ar-pruefer.json")]

    preview = run("oscal", "import", folder, *files, "--catalogs", shared_catalogs)
    assert preview.exit_code == 0, preview.output
    assert (folder / "check.csv").read_text(encoding="utf-8") == before
    assert "  SRV-01 / DET.5.4 · Status: 'nein' → 'ja'" in preview.output
    assert "  SRV-01 / DET.5.4 · Umsetzung bis: '30.09.2025' → ''" in preview.output
    assert "Nichts geschrieben: 7 Werte in check.csv; mit --apply übernehmen." in preview.output

    applied = run("oscal", "import", folder, *files, "--apply", "--catalogs", shared_catalogs)
    assert applied.exit_code == 0, applied.output
    old, now = before.splitlines(), (folder / "check.csv").read_text(encoding="utf-8").splitlines()
    assert [line for line in old if line not in now] == [
        "IV,PERS.6.1.1,nein,Beispiel (von Hand): Der Entzug von Berechtigungen beim Weggang ist noch nicht mit dem "
        "Personalamt geregelt.,Personalamt,2025-03-31,2024-06-18",
        "SRV-01,DET.5.4,nein,Beispiel (von Hand): Penetrationstest des Servernetzes für 2025 beauftragt.,IT-Leitung,"
        "2025-09-30,2024-06-18"]
    assert [line for line in now if line not in old] == [
        "IV,PERS.6.1.1,ja,Beispiel (von Hand): Der Entzug von Berechtigungen beim Weggang ist noch nicht mit dem "
        "Personalamt geregelt.,Personalamt,2025-03-31,2024-06-18",
        "SRV-01,DET.5.4,ja,Penetrationstest 11/2024 durchgeführt.,IT-Leitung,,2024-06-18",
        "APP-01,DEV.4.4,teilweise,Signaturprüfung nur für Updates.,IT-Leitung,,"]
    again = run("oscal", "import", folder, *files, "--catalogs", shared_catalogs)
    assert again.exit_code == 1 and "check.csv wurde nach dem Export geändert" in again.output


def test_refusals_and_errors_name_file_path_and_value_and_write_nothing(gspp_copy, shared_catalogs, tmp_path):
    folder, out = gspp_copy
    before = digest(folder)

    def refused(document: dict, kind: str, *extra) -> str:
        result = run("oscal", "import", folder, _write(document, kind, tmp_path / f"{kind}-x.json"), "--apply",
                     "--catalogs", shared_catalogs, *extra)
        assert result.exit_code == 1 and result.output.startswith("Fehler: ") and "Traceback" not in result.output
        assert digest(folder) == before
        return result.output

    ssp = load(out, "ssp")
    other = json.loads(json.dumps(ssp))
    for item in other["metadata"]["props"]:
        if item["name"] == "assessment":
            item["value"] = "Stadt Hilden"
    assert "Dokument gehört zur Bewertung 'Stadt Hilden'" in refused(other, "ssp")
    foreign = json.loads(json.dumps(ssp))
    foreign["metadata"].pop("props")
    assert "stammt nicht aus 'grundschutz oscal export'" in refused(foreign, "ssp")

    broken = json.loads(json.dumps(ssp))
    _by_component(broken, "SRV-01", "DET.5.4")["implementation-status"]["state"] = "vielleicht"
    first = broken["control-implementation"]["implemented-requirements"][0]  # GC.1.1: only the Informationsverbund
    first["by-components"][0]["component-uuid"] = next(c["uuid"] for c in broken["system-implementation"]["components"]
                                                       if own(c, "object-id") == ["NET-01"])
    message = refused(broken, "ssp")
    assert "Wert 'vielleicht': unbekannter Umsetzungsstatus (erlaubt: implemented, partial, planned, " \
           "not-applicable, alternative)" in message
    assert "Control ist für NET-01 nicht ausgewählt" in message

    needs_reason = json.loads(json.dumps(ssp))
    _by_component(needs_reason, "IV", "UMS.1.1")["implementation-status"] = {"state": "not-applicable"}
    assert "Status 'entbehrlich' braucht eine Begründung (remarks) für IV / UMS.1.1" in refused(needs_reason, "ssp")

    (folder / "check.csv").write_text((folder / "check.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = digest(folder)
    edited = json.loads(json.dumps(ssp))
    _by_component(edited, "IV", "UMS.1.1")["implementation-status"]["state"] = "implemented"
    assert "check.csv wurde nach dem Export geändert" in refused(edited, "ssp")
    forced = run("oscal", "import", folder, tmp_path / "ssp-x.json", "--force", "--catalogs", shared_catalogs)
    assert forced.exit_code == 0 and "IV / UMS.1.1 · Status: 'teilweise' → 'ja'" in forced.output


def test_ssp_and_results_that_contradict_each_other_are_an_error(gspp_copy, shared_catalogs, tmp_path):
    folder, out = gspp_copy
    ssp, ar = load(out, "ssp"), load(out, "ar")
    _by_component(ssp, "IV", "UMS.1.1")["implementation-status"]["state"] = "implemented"
    finding = next(f for f in ar["results"][0]["findings"] if own(f, "requirement") == ["UMS.1.1"])
    finding["target"]["implementation-status"]["state"] = "planned"
    result = run("oscal", "import", folder, _write(ssp, "ssp", tmp_path / "a.json"),
                 _write(ar, "ar", tmp_path / "b.json"), "--catalogs", shared_catalogs)
    assert result.exit_code == 1
    assert "widerspricht a.json" in result.output and "für Status von IV / UMS.1.1" in result.output


def test_export_time_stamp_and_errors(shared_catalogs, tmp_path):
    out = tmp_path / "out"
    export(GSPP, out, shared_catalogs, "--timestamp", "2025-01-31T10:15:00+01:00")
    assert {load(out, kind)["metadata"]["last-modified"] for kind in DOCUMENTS} == {"2025-01-31T09:15:00Z"}
    bad = run("oscal", "export", GSPP, "-o", tmp_path / "x", "--timestamp", "gestern", "--catalogs", shared_catalogs)
    assert bad.exit_code == 1 and "--timestamp: 'gestern' ist kein Zeitpunkt" in bad.output
    blocked = tmp_path / "datei"
    blocked.write_text("", encoding="utf-8")
    result = run("oscal", "export", GSPP, "-o", blocked / "unter", "--catalogs", shared_catalogs)
    assert result.exit_code == 1 and "nicht geschrieben" in result.output and "Traceback" not in result.output


def test_help_is_german():
    for args in (["oscal", "-h"], ["oscal", "export", "-h"], ["oscal", "import", "-h"]):
        result = run(*args)
        assert result.exit_code == 0
    assert "Sicherheitskonzept" in run("oscal", "-h").output
    assert "Zielordner" in run("oscal", "export", "-h").output
    assert "Änderungen schreiben" in run("oscal", "import", "-h").output


def test_a_mangled_document_is_an_error_never_a_traceback(exports, shared_catalogs):
    """Values of any JSON type in any place (what a broken tool might write): a German error or a plan."""
    import copy
    import random

    from grundschutz.cli.common import open_analysis
    from grundschutz.exchange.oscal.importing import plan_oscal_import
    from grundschutz.model.errors import GrundschutzError

    _, out, _ = exports(GSPP)
    analysis = open_analysis(GSPP, str(shared_catalogs))
    rng = random.Random(14)
    outcomes = Counter()
    for kind in ("ssp", "ar"):
        base = {ROOTS[kind]: load(out, kind)}
        for _ in range(15):
            document = copy.deepcopy(base)
            places = [(node, key) for node in objects_in(document) for key in node]
            for node, key in rng.sample(places, 3):
                node[key] = rng.choice([None, 5, True, "x", [], {}, [1], {"a": []}])
            path = out.parent / f"kaputt-{kind}.json"
            path.write_text(json.dumps(document), encoding="utf-8")
            try:
                plan_oscal_import(analysis, [path])
                outcomes["plan"] += 1
            except GrundschutzError as exc:
                assert "Traceback" not in str(exc)
                outcomes["error"] += 1
    assert outcomes["error"] > 5


def test_a_full_disk_leaves_the_last_export_and_check_csv_as_they_were(gspp_copy, shared_catalogs, tmp_path,
                                                                       monkeypatch):
    """All four documents or none; the import's check.csv all or nothing; a German error naming the file."""
    import builtins
    import errno
    import os

    folder, out = gspp_copy
    before = digest(out)
    real_open = builtins.open

    def filling_up(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if "w" in mode and Path(os.fsdecode(file)).name.startswith(".~ar.json"):
            handle.write("{")
            handle.close()
            raise OSError(errno.ENOSPC, "No space left on device")
        return handle

    monkeypatch.setattr(builtins, "open", filling_up)
    result = run("oscal", "export", folder, "-o", out, "--timestamp", "2030-01-01", "--catalogs", shared_catalogs)
    monkeypatch.setattr(builtins, "open", real_open)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{out / 'ar.json'}: nicht geschrieben (Datenträger voll)" in result.output
    assert digest(out) == before  # the old export, whole, and no temporary file

    ssp = load(out, "ssp")
    _by_component(ssp, "IV", "UMS.1.1")["implementation-status"]["state"] = "implemented"
    check_before = digest(folder)

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = run("oscal", "import", folder, _write(ssp, "ssp", tmp_path / "ssp.json"), "--apply",
                 "--catalogs", shared_catalogs)
    assert result.exit_code == 1 and "nicht geschrieben (Datenträger voll)" in result.output
    assert {k: v for k, v in digest(folder).items() if not k.startswith(".grundschutz.lock")} == check_before
