"""The container files, linted as data (no Docker engine runs here)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

COMPOSE = ROOT / "docker" / "compose.yaml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_runs_neo4j_5_26_community_and_graphtwin():
    services = compose()["services"]
    assert set(services) == {"neo4j", "graphtwin"}
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert services["graphtwin"]["build"]["dockerfile"] == "docker/Dockerfile"
    assert services["graphtwin"]["depends_on"]["neo4j"]["condition"] == "service_healthy"


def test_every_published_port_is_bound_to_localhost_only():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_graphtwin_reaches_neo4j_through_the_standard_variables_and_no_password_is_baked_in():
    services = compose()["services"]
    env = services["graphtwin"]["environment"]
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert {"NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"} <= set(env)
    assert env["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")
    assert (
        services["neo4j"]["environment"]["NEO4J_AUTH"]
        == "neo4j/${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"
    )
    assert services["neo4j"]["environment"]["NEO4J_dbms_usage__report_enabled"] == "false"


def test_the_dockerfile_installs_the_package_with_its_data_and_runs_unprivileged():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11", text, re.M)
    for part in ("graphtwin", "importers", "ontologies", "cypher"):
        assert f"COPY {part} ./{part}" in text
    assert "USER graphtwin" in text
    assert 'ENTRYPOINT ["graphtwin"]' in text
