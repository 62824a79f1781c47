"""The scale benchmark's generated portfolio (benchmarks/portfolio.py): its counts are known in
advance and its first building is the API benchmark's building."""

from benchmarks.api_building import BUILDING_ID, BuildingShape, generate_building
from benchmarks.portfolio import (
    PortfolioShape,
    portfolio_building,
    portfolio_buildings,
    portfolio_graph,
)

SMALL = PortfolioShape(buildings=3, buildings_per_site=2, building=BuildingShape(2, 3, 4, 5))


def test_the_generated_portfolio_has_the_nodes_and_relationships_its_shape_announces() -> None:
    graphs = [portfolio_graph(SMALL), *(b.graph for b in portfolio_buildings(SMALL))]

    assert sum(len(g.nodes) for g in graphs) == SMALL.nodes
    assert sum(len(g.relationships) for g in graphs) == SMALL.relationships
    assert SMALL.sites == 2


def test_every_relationship_ends_at_a_node_of_the_portfolio() -> None:
    graphs = [portfolio_graph(SMALL), *(b.graph for b in portfolio_buildings(SMALL))]
    nodes = {twin_id for g in graphs for twin_id in g.nodes}

    ends = {end for g in graphs for r in g.relationships.values() for end in (r.start, r.end)}

    assert ends <= nodes


def test_the_first_building_is_the_api_benchmarks_building_with_its_systems() -> None:
    shape = BuildingShape(2, 3, 4, 5)
    api = generate_building(shape).graph
    first = portfolio_building(PortfolioShape(1, building=shape), 1).graph

    assert set(api.nodes) - set(first.nodes) == {"site-1"}  # the portfolio's graph has it
    assert all(first.nodes[t] == node for t, node in api.nodes.items() if t != "site-1")
    assert first.nodes[BUILDING_ID].name == "Building 1"
    assert set(api.relationships) <= set(first.relationships)
    systems = {t for t, n in first.nodes.items() if n.kind == "System"}
    assert len(systems) == shape.floors + 1


def test_the_default_portfolio_is_a_million_nodes() -> None:
    counts = PortfolioShape().counts()

    assert 1_000_000 <= counts["nodes"] < 1_100_000
    assert counts["buildings"] == 40
