"""`show|tree|export twin --as-of` and `diff twin` through the real console script: what the
commands printed at a time they print again as of it (docs/history.md)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.neo4j


def twin_file(tmp_path: Path, *, area: float, ahu: bool) -> Path:
    lines = [
        "graphtwin: 1",
        "source: b",
        "nodes:",
        "  - {id: site, kind: Site, name: Site, contains: [room]}",
        f"  - {{id: room, kind: Space, name: Room, properties: {{area_m2: {area}}}}}",
    ]
    if ahu:
        lines.append("  - {id: ahu, kind: Equipment, name: AHU, links: {SERVES: [room]}}")
    path = tmp_path / "b.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def views(cli, *as_of: str) -> tuple[str, str, str]:
    return (
        ok(cli("show", "room", "--json", *as_of)),
        ok(cli("tree", *as_of)),
        ok(cli("export", "twin", *as_of)),
    )


def test_show_tree_and_export_as_of_a_time_print_what_they_printed_then(cli, tmp_path):
    [first] = map(
        json.loads,
        ok(cli("import", "twin", twin_file(tmp_path, area=42.0, ahu=True), "--json")).splitlines(),
    )
    t1 = datetime.now(UTC).isoformat()
    then = views(cli)
    time.sleep(0.01)
    [second] = map(
        json.loads,
        ok(
            cli(
                "import",
                "twin",
                twin_file(tmp_path, area=50.0, ahu=False),
                "--json",
                "--allow-retire",
            )
        ).splitlines(),
    )
    assert second["run_id"] != first["run_id"] and second["run_id"].startswith("import-")
    t2 = datetime.now(UTC).isoformat()
    assert ok(cli("export", "twin")) != then[2]
    assert views(cli, "--as-of", t1) == then

    # the as-of export round-trips: imported again it makes the twin it describes
    exported = tmp_path / "then.yaml"
    exported.write_text(then[2], encoding="utf-8")
    ok(cli("import", "twin", exported, "--allow-retire"))
    assert ok(cli("export", "twin")) == then[2]
    # room changed twice and ahu retired; SERVES went with ahu; the source was re-imported twice
    history = json.loads(ok(cli("db", "status", "--json")))["history"]
    assert history == {"node_versions": 3, "edge_versions": 1, "source_versions": 2}

    changes = json.loads(ok(cli("diff", "twin", "--from", t1, "--to", t2, "--json")))
    made = second["diff"]
    assert [n["twin_id"] for n in changes["nodes"]["removed"]] == made["removed"] == ["ahu"]
    [room] = changes["nodes"]["changed"]
    assert (room["twin_id"], room["keys"], room["old"], room["new"]) == (
        "room",
        ["area_m2"],
        {"area_m2": 42.0},
        {"area_m2": 50.0},
    )
    assert room["sources"] == ["b"] and room["runs"] == [second["run_id"]]
    removed = [[r["start"], r["type"], r["end"]] for r in changes["relationships"]["removed"]]
    assert removed == [[r["from"], r["type"], r["to"]] for r in made["relationships_removed"]]
    assert ok(cli("diff", "twin", "--from", t1, "--to", t2)).count("ahu") >= 1


def test_an_as_of_before_the_history_or_in_the_future_exits_2_naming_the_time(cli, tmp_path):
    ok(cli("import", "twin", twin_file(tmp_path, area=42.0, ahu=True)))
    for at in ("2000-01-01T00:00:00Z", (datetime.now(UTC) + timedelta(days=1)).isoformat()):
        result = cli("show", "room", "--as-of", at)
        assert result.returncode == 2
        assert "outside the twin's history" in result.stderr and at[:19] in result.stderr
    bad = cli("tree", "--as-of", "last tuesday")
    assert bad.returncode == 2 and "not an ISO 8601 time" in bad.stderr


def test_diff_twin_values_lists_the_points_whose_value_changed_with_the_source_that_wrote_it(
    cli, tmp_path
):
    from graphtwin.telemetry.history import HistoryStore

    model = tmp_path / "p.yaml"
    model.write_text(
        "graphtwin: 1\nsource: p\nnodes:\n"
        "  - {id: zone, kind: Space, name: Zone, links: {HAS_POINT: [zone.temp, zone.co2]}}\n"
        "  - {id: zone.temp, kind: Point, name: Zone temperature}\n"
        "  - {id: zone.co2, kind: Point, name: Zone CO2}\n",
        encoding="utf-8",
    )
    ok(cli("import", "twin", model))
    history = HistoryStore(tmp_path / "history", retention_days=None)

    def write(twin_id: str, value: float, source: str) -> datetime:
        at = datetime.now(UTC)
        history.append([twin_id], [int(at.timestamp() * 1e9)], [value], ["good"], [source])
        history.flush()
        time.sleep(0.01)
        return at

    write("zone.temp", 21.0, "opcua-bms")
    write("zone.co2", 600.0, "mqtt-gw")
    t1 = datetime.now(UTC)
    time.sleep(0.01)
    written = write("zone.temp", 23.5, "opcua-bms")
    write("zone.co2", 600.0, "mqtt-gw")  # the same value again: not a change
    t2 = datetime.now(UTC)
    done = cli("diff", "twin", "--from", t1.isoformat(), "--to", t2.isoformat(), "--values",
               "--history", tmp_path / "history", "--json")  # fmt: skip
    [change] = json.loads(ok(done))["values"]
    assert change["twin_id"] == "zone.temp"
    assert (change["old"]["value"], change["new"]["value"]) == (21.0, 23.5)
    assert change["new"]["source"] == "opcua-bms"
    assert abs(datetime.fromisoformat(change["new"]["at"]) - written) < timedelta(milliseconds=1)
    text = ok(cli("diff", "twin", "--from", t1.isoformat(), "--to", t2.isoformat(), "--values",
                  "--history", tmp_path / "history"))  # fmt: skip
    assert "zone.temp: 21 -> 23.5" in text and "opcua-bms" in text
    refused = cli("diff", "twin", "a.yaml", "b.yaml", "--values")
    assert refused.returncode == 2 and "--values" in refused.stderr
