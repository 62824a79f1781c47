"""Every importer answers broken copies of real files with a graph or a typed input error.

Seeded random mutations (truncation, byte flips, duplicated and deleted lines, and mixtures) of
real files: the project's own examples, and the real-world files in ../shared/data when they are
there. Each is parsed in process through the importer registry the CLI uses: anything but a
graph or an `InputError` fails the test, naming the file, the seed and the mutation, so
`tests.support.fuzzing.mutate(original_bytes, seed)` gives back the very bytes. Then a sample of
the mutations that parsed is loaded over the imported original in the real Neo4j: each load
succeeds or is refused with an `InputError`, and a refused one leaves the graph's content hash
as it was. One refused file per format also goes through the `graphtwin import` command: exit 2,
a message naming the file, no traceback, nothing written.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from graphtwin.errors import InputError
from graphtwin.model import TwinGraph
from graphtwin.store import TwinStore
from importers import IMPORTERS
from tests.conftest import ROOT, SHARED_DATA, CliRunner
from tests.support.fuzzing import FuzzOutcome, Mutation, fuzz_parser, mutate
from tests.support.graph_state import graph_content_hash

EXAMPLES = ROOT / "examples"
CASES_PER_FORMAT = 300
LOADED_PER_FORMAT = 10
SLOWEST_CASE_S = 10.0
"""A broken file is answered in bounded time: far above the slowest case seen (0.3 s)."""
BASE_SEED = 16_000

# The project's own files, then real-world files when ../shared/data is there (small and medium
# ones: a few hundred parses per format must stay within about a minute).
OWN_FILES: dict[str, list[Path]] = {
    "twin": [EXAMPLES / "demo-campus.yaml"],
    "governance": [EXAMPLES / "riverside-governance.yaml"],
    "brick": [EXAMPLES / "riverside-building-b.ttl"],
    "ifc": [EXAMPLES / "riverside-building-b.ifc"],
    "isa95": [EXAMPLES / "riverside-building-b.b2mml.xml"],
}
SHARED_FILES: dict[str, list[str]] = {
    "twin": [],
    "governance": [],
    "brick": [
        "brick/brickrepo_g36_g36-combined-ahu-vav.ttl",
        "brick/brickrepo_chiller-system_chiller-plant.ttl",
        "brick/pybrickschema_goodBuilding.ttl",
        "brick/brickrepo_building_meter_building_meter.ttl",
        "rec/brickrepo_rec-with-brick_building.ttl",
    ],
    "ifc": ["ifc/webifc_IfcOpenHouse_IFC4.ifc"],
    "isa95": [
        "b2mml/amplab2mml_ShowEquipmentInformation_expected.xml",
        "b2mml/batchml_v02_cough_syrup_master_recipe.xml",
        "b2mml/cocop_ProcessProductionSchedule_V0600.xml",
        "b2mml/courbon_SyncMaterialDefinition_CRBN0001.xml",
        "b2mml/courbon_SyncProductionPerformance_PES-53107.xml",
        "b2mml/courbon_SyncProductionSchedule_PRO-27942.xml",
    ],
}
FORMATS = sorted(OWN_FILES)
# What a format's files refer to and must find in the graph (governance selects twin entities).
CONTEXT: dict[str, list[tuple[str, Path]]] = {
    "governance": [
        ("twin", EXAMPLES / "demo-campus.yaml"),
        ("brick", EXAMPLES / "riverside-building-b.ttl"),
    ],
}


def originals(fmt: str) -> list[Path]:
    files = [path for path in OWN_FILES[fmt] if path.is_file()]
    files += [SHARED_DATA / name for name in SHARED_FILES[fmt] if (SHARED_DATA / name).is_file()]
    if not files:
        pytest.skip(f"no {fmt} file to fuzz (examples/ and {SHARED_DATA} lack them)")
    return files


def fuzz_format(fmt: str, workdir: Path) -> dict[Path, FuzzOutcome]:
    """CASES_PER_FORMAT mutations, shared out over the format's files, each its own seed."""
    importer = IMPORTERS[fmt]
    files = originals(fmt)
    outcomes = {}
    for k, original in enumerate(files):
        seeds = range(BASE_SEED + k, BASE_SEED + CASES_PER_FORMAT, len(files))
        outcomes[original] = fuzz_parser(
            importer.parse, original, seeds, workdir / f"{k}", label=fmt
        )
    return outcomes


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_mutation_of_a_real_file_parses_or_is_refused_with_a_typed_input_error(
    fmt: str, tmp_path: Path
):
    started = time.perf_counter()
    outcomes = fuzz_format(fmt, tmp_path)
    elapsed = time.perf_counter() - started

    crashes = [crash for outcome in outcomes.values() for crash in outcome.crashes]
    assert crashes == [], f"{len(crashes)} mutations crashed the {fmt} importer"
    cases = sum(outcome.cases for outcome in outcomes.values())
    assert cases == CASES_PER_FORMAT
    slowest = max(outcome.slowest_s for outcome in outcomes.values())
    assert slowest < SLOWEST_CASE_S, f"one {fmt} mutation took {slowest:.1f} s"
    refused = sum(sum(outcome.refused.values()) for outcome in outcomes.values())
    parsed = sum(len(outcome.parsed) for outcome in outcomes.values())
    # the mutations reach both outcomes: a fuzzer whose cases all fail early tests little
    assert refused > 0
    assert parsed > 0
    print(f"{fmt}: {cases} mutations, {parsed} parsed, {refused} refused, {elapsed:.1f} s")


def sample_parsed(outcomes: dict[Path, FuzzOutcome]) -> list[tuple[Path, Mutation, TwinGraph]]:
    """Up to LOADED_PER_FORMAT parsed mutations, taken in turn from each file, that changed the
    file (a duplicated blank line parses to the original graph and tests nothing)."""
    queues = {
        original: [(m, g) for m, g in outcome.parsed if m.data != original.read_bytes()]
        for original, outcome in outcomes.items()
    }
    sample: list[tuple[Path, Mutation, TwinGraph]] = []
    while len(sample) < LOADED_PER_FORMAT and any(queues.values()):
        for original, queue in queues.items():
            if queue and len(sample) < LOADED_PER_FORMAT:
                mutation, graph = queue.pop(0)
                sample.append((original, mutation, graph))
    return sample


@pytest.mark.neo4j
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_mutation_loaded_over_its_original_lands_or_is_refused_leaving_the_graph_unchanged(
    fmt: str, store: TwinStore, tmp_path: Path
):
    importer = IMPORTERS[fmt]
    sample = sample_parsed(fuzz_format(fmt, tmp_path / "cases"))
    assert sample, f"no {fmt} mutation parsed"
    context = [IMPORTERS[other].parse(path) for other, path in CONTEXT.get(fmt, [])]
    problems: list[str] = []
    outcomes: dict[str, int] = {}
    for original, mutation, graph in sample:
        store.reset()
        store.load([*context, importer.parse(original)])
        before = graph_content_hash(store)
        case = f"{fmt} {original.name} {mutation.describe()}"
        try:
            store.load([graph])
        except InputError as exc:
            outcomes[type(exc).__name__] = outcomes.get(type(exc).__name__, 0) + 1
            if graph_content_hash(store) != before:
                problems.append(f"{case}: refused ({exc.message}) but the graph changed")
        except Exception as exc:  # a fuzzer reports every other failure
            problems.append(f"{case}: {type(exc).__name__}: {str(exc)[:300]}")
        else:
            outcomes["loaded"] = outcomes.get("loaded", 0) + 1
    assert problems == []
    assert sum(outcomes.values()) == len(sample)
    print(f"{fmt}: {len(sample)} parsed mutations loaded over the original: {outcomes}")


def first_refused(fmt: str, tmp_path: Path) -> tuple[Path, Mutation]:
    """The first seed whose mutation of the format's first file the importer refuses."""
    original = originals(fmt)[0]
    source = original.read_bytes()
    tmp_path.mkdir(parents=True, exist_ok=True)
    for seed in range(BASE_SEED, BASE_SEED + CASES_PER_FORMAT):
        mutation = mutate(source, seed)
        path = tmp_path / original.name
        path.write_bytes(mutation.data)
        try:
            IMPORTERS[fmt].parse(path)
        except InputError:
            return path, mutation
    pytest.fail(f"no mutation of {original.name} is refused")


@pytest.mark.neo4j
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_cli_answers_a_refused_mutation_with_exit_2_and_a_message_never_a_traceback(
    fmt: str, cli: CliRunner, store: TwinStore, tmp_path: Path
):
    original = originals(fmt)[0]
    for other, path in [*CONTEXT.get(fmt, []), (fmt, original)]:  # in-process: only the setup
        store.load([IMPORTERS[other].parse(path)])
    before = graph_content_hash(store)
    broken, mutation = first_refused(fmt, tmp_path / "broken")

    result = cli("import", fmt, broken)

    assert result.returncode == 2, f"{mutation.describe()}: {result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    assert str(broken) in result.stderr
    assert graph_content_hash(store) == before
