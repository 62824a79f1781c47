"""Every GraphQL document the flight deck runs is valid against the API's schema.

The pages execute the documents in graphtwin/web/queries in-process; a document that names a
field the API does not have, or passes a wrong argument, would fail only when its page is
opened. Here each one is validated with graphql-core against the schema the server builds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLError, OperationDefinitionNode, parse, validate

from graphtwin.api.schema import build_schema
from tests.conftest import ROOT

QUERIES = ROOT / "graphtwin" / "web" / "queries"
DOCUMENTS = sorted(QUERIES.glob("*.graphql"))
SCHEMA = build_schema()._schema


def _problems(path: Path) -> list[str]:
    try:
        document = parse(path.read_text(encoding="utf-8"))
    except GraphQLError as error:
        return [f"{path.name}: {error.message}"]
    problems = [f"{path.name}: {e.message}" for e in validate(SCHEMA, document)]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        problems.append(f"{path.name}: {len(operations)} operations, a page runs exactly one")
    return problems


def test_the_flight_deck_has_graphql_documents():
    assert DOCUMENTS, f"no *.graphql in {QUERIES}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_each_graphql_document_of_the_flight_deck_is_valid_against_the_api_schema(path: Path):
    assert _problems(path) == []


def test_a_document_naming_a_field_the_api_lacks_is_reported(tmp_path: Path):
    wrong = tmp_path / "wrong.graphql"
    wrong.write_text('query Wrong { node(twinId: "x") { twinId noSuchField } }', encoding="utf-8")
    [problem] = _problems(wrong)
    assert "noSuchField" in problem
