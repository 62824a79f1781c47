"""Topology impact along FEEDS, SERVES and HAS_PART: lost and partly supplied nodes, single points
of failure, interventions on FEEDS, and dominators checked against brute-force reachability."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graphtwin.errors import InputError
from graphtwin.simulation.errors import (
    CyclicInterventionError,
    MissingFeedError,
    UnknownNodeError,
)
from graphtwin.simulation.topology import (
    SupplyNetwork,
    dominated_by,
    impact,
    single_points_of_failure,
    supply_network,
)

# The boiler feeds the hot-water coils of both AHUs; zone-a is fed by both AHUs (redundant),
# zone-b by AHU-1 alone, zone-c is served by AHU-2 alone. The fan is a part of AHU-1.
EDGES = [
    ("boiler", "FEEDS", "ahu-1.coil"),
    ("boiler", "FEEDS", "ahu-2.coil"),
    ("ahu-1", "HAS_PART", "ahu-1.coil"),
    ("ahu-1", "HAS_PART", "ahu-1.fan"),
    ("ahu-2", "HAS_PART", "ahu-2.coil"),
    ("ahu-1", "FEEDS", "zone-a"),
    ("ahu-2", "FEEDS", "zone-a"),
    ("ahu-1", "FEEDS", "zone-b"),
    ("ahu-2", "SERVES", "zone-c"),
    ("building", "CONTAINS", "zone-a"),  # not about supply: ignored
]
AHU_1 = ("ahu-1", "ahu-1.coil", "ahu-1.fan")
AHU_2 = ("ahu-2", "ahu-2.coil")


@pytest.fixture(scope="module")
def network() -> SupplyNetwork:
    return supply_network(EDGES)


def test_a_trip_of_the_only_feeder_loses_the_zone_and_the_redundant_zone_is_partly_affected(
    network,
):
    result = impact(network, trip=["ahu-1"])

    assert result.removed == AHU_1
    assert result.lost == ("zone-b",)
    assert result.partly == ("zone-a",)


def test_a_tripped_part_takes_its_whole_and_the_other_parts_down(network):
    by_fan = impact(network, trip=["ahu-1.fan"])

    assert by_fan.removed == AHU_1
    assert by_fan == impact(network, trip=["ahu-1"])


def test_what_feeds_a_part_supplies_the_whole(network):
    result = impact(network, trip=["boiler"])

    assert result.removed == ("boiler",)
    assert result.lost == tuple(sorted({*AHU_1, *AHU_2, "zone-a", "zone-b", "zone-c"}))
    assert result.partly == ()


def test_nothing_tripped_changes_nothing(network):
    assert impact(network) == impact(network, trip=())
    assert impact(network).lost == impact(network).partly == impact(network).removed == ()


def test_the_boiler_is_the_biggest_single_point_of_failure_and_dominates_everything_below_it(
    network,
):
    spofs = {s.node: s for s in single_points_of_failure(network)}
    everything_else = tuple(sorted(network.unit_of.keys() - {"boiler"}))

    assert single_points_of_failure(network)[0].node == "boiler"
    assert spofs["boiler"].dominates == everything_else
    assert spofs["ahu-1"].members == AHU_1
    assert spofs["ahu-1"].dominates == ("zone-b",)
    assert spofs["ahu-2"].dominates == ("zone-c",)
    assert set(spofs) == {"boiler", "ahu-1", "ahu-2"}


def test_a_redundantly_fed_zone_depends_on_no_single_ahu(network):
    assert dominated_by(network, "zone-a") == ("boiler",)
    assert dominated_by(network, "zone-b") == ("boiler", "ahu-1")
    assert dominated_by(network, "ahu-1.fan") == ("boiler",)
    assert dominated_by(network, "boiler") == ()


def test_removing_the_redundant_feed_leaves_the_zone_partly_affected_but_supplied(network):
    result = impact(network, remove_feeds=[("ahu-2", "zone-a")])

    assert result.lost == ()
    assert result.partly == ("zone-a",)


def test_removing_the_only_feed_loses_the_zone(network):
    result = impact(network, remove_feeds=[("ahu-1", "zone-b")])

    assert result.lost == ("zone-b",)
    assert result.removed == ()


def test_an_added_feed_keeps_a_zone_supplied_through_a_trip(network):
    result = impact(network, trip=["ahu-1"], add_feeds=[("ahu-2", "zone-b")])

    assert result.lost == ()
    assert result.partly == ("zone-a", "zone-b")


def test_a_feed_that_closes_a_supply_cycle_is_refused_naming_the_edge(network):
    with pytest.raises(CyclicInterventionError) as caught:
        impact(network, add_feeds=[("ahu-2", "zone-b"), ("zone-a", "boiler")])

    assert caught.value.field == "add_feeds[1]"
    assert (caught.value.source, caught.value.target) == ("zone-a", "boiler")
    assert caught.value.cycle[0] == caught.value.cycle[-1] == "zone-a"
    assert "zone-a -> boiler" in str(caught.value)


def test_a_part_cannot_feed_its_own_whole(network):
    with pytest.raises(CyclicInterventionError) as caught:
        impact(network, add_feeds=[("ahu-1.fan", "ahu-1")])

    assert caught.value.cycle == ("ahu-1.fan", "ahu-1", "ahu-1.fan")


def test_an_unknown_id_is_refused_naming_it_and_the_field(network):
    with pytest.raises(UnknownNodeError) as caught:
        impact(network, trip=["ahu-1", "ahu-9"])

    assert isinstance(caught.value, InputError)
    assert caught.value.node_id == "ahu-9"
    assert caught.value.field == "trip[1]"
    assert "ahu-9" in str(caught.value)
    with pytest.raises(UnknownNodeError, match="nowhere"):
        impact(network, add_feeds=[("ahu-1", "nowhere")])
    with pytest.raises(UnknownNodeError, match="nowhere"):
        dominated_by(network, "nowhere")


def test_removing_a_feed_that_does_not_exist_is_refused_naming_the_pair(network):
    with pytest.raises(MissingFeedError) as caught:
        impact(network, remove_feeds=[("ahu-2", "zone-b")])

    assert caught.value.entity == "ahu-2->zone-b"
    assert caught.value.field == "remove_feeds[0]"
    with pytest.raises(MissingFeedError):  # SERVES is not a FEEDS
        impact(network, remove_feeds=[("ahu-2", "zone-c")])
    with pytest.raises(MissingFeedError):  # the same feed twice
        impact(network, remove_feeds=[("ahu-1", "zone-b"), ("ahu-1", "zone-b")])


def test_a_node_given_without_relationships_is_a_root_a_feed_can_be_added_to():
    net = supply_network(EDGES, nodes=["zone-d"])

    assert dominated_by(net, "zone-d") == ()
    assert impact(net, trip=["ahu-2"], add_feeds=[("ahu-2", "zone-d")]).lost == ("zone-c",)
    assert impact(net, trip=["zone-d"]).removed == ("zone-d",)


# --- dominators against brute force --------------------------------------------------------------


def random_building(seed: int, n: int = 12) -> list[tuple[str, str, str]]:
    """A random supply DAG (gnp, edges from lower to higher index) with a few HAS_PART pairs."""
    rng = random.Random(seed)
    dag = nx.gnp_random_graph(n, 0.22, seed=seed, directed=True)
    names = [f"n{i:02d}" for i in range(n)]
    edges = [(names[a], rng.choice(["FEEDS", "SERVES"]), names[b]) for a, b in dag.edges if a < b]
    edges += [(names[a], "HAS_PART", names[b]) for a, b in (rng.sample(range(n), 2),)]
    return edges + [(names[a], "HAS_PART", names[a + 1]) for a in rng.sample(range(n - 1), 1)]


def lost_by_brute_force(edges: list[tuple[str, str, str]], failed: set[str]) -> set[str]:
    """Nodes no root reaches once `failed` is removed (and that one reached before), by plain
    reachability over nodes: a whole and its parts reach each other, a root is a node of a
    HAS_PART group that nothing outside the group supplies."""
    parts = nx.Graph([(a, b) for a, rel, b in edges if rel == "HAS_PART"])
    group = {n: frozenset(c) for c in nx.connected_components(parts) for n in c}
    graph = nx.DiGraph()
    for a, rel, b in edges:
        graph.add_edge(a, b)
        if rel == "HAS_PART":
            graph.add_edge(b, a)
    supplied = {b for a, rel, b in edges if rel != "HAS_PART" and a not in group.get(b, {b})}
    roots = {n for n in graph if not (group.get(n, {n}) & supplied)}

    def reached(g: nx.DiGraph) -> set[str]:
        found = {r for r in roots if r in g}
        for r in list(found):
            found |= nx.descendants(g, r)
        return found

    before = reached(graph)
    graph.remove_nodes_from(failed)
    return before - reached(graph) - failed


@pytest.mark.parametrize("seed", range(25))
def test_what_a_unit_dominates_is_exactly_what_becomes_unreachable_without_it(seed):
    edges = random_building(seed)
    net = supply_network(edges)
    spofs = {s.node: s.dominates for s in single_points_of_failure(net)}

    for unit, members in net.members.items():
        expected = lost_by_brute_force(edges, set(members))
        assert set(spofs.get(unit, ())) == expected
        assert set(impact(net, trip=[members[-1]]).lost) == expected
        for node in expected:
            assert unit in dominated_by(net, node)
