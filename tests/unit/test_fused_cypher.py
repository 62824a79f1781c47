"""Fused statements: one GraphQL query to the exact Cypher and parameters (TCK-style snapshots).

In the style of @neo4j/graphql's `tests/tck/`: each case is a GraphQL input, the Cypher it must
compile to and its parameters, and the shape that turns the rows into the answer. Then what is
not compiled (the per-level planner answers it), and the text's hygiene: every value a
parameter, every identifier from the whitelist, whatever the query holds. No database: the
answers are compared with the per-level planner's on Neo4j in
`tests/integration/test_api_planner.py`.
"""

from __future__ import annotations

import re
from textwrap import dedent
from typing import Any

import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from graphql.execution.values import get_variable_values

from graphtwin.api.fused_cypher import (
    LABELS,
    NODE_VIEW,
    OBJECT_VIEWS,
    FusedCypher,
    FusedStatement,
    Shape,
    type_alternatives,
)
from graphtwin.api.schema import build_schema
from graphtwin.api.selections import collect_fields
from graphtwin.statements import cypher
from graphtwin.vocabulary import vocabulary

SCHEMA = build_schema()._schema
FUSION = FusedCypher(SCHEMA)
CURRENT = (
    "CASE WHEN {n}:Point THEN [CASE WHEN {n}.value IS :: FLOAT OR {n}.value IS :: INTEGER "
    "THEN {n}.value END, {n}.unit, toString({n}.value_at), coalesce({n}.health, CASE WHEN "
    "{n}.value IS NULL THEN 'unknown' ELSE 'ok' END)] END"
)
"""`current { value unit timestamp health }` of the node `{n}`."""
HEAD = "UNWIND $ids AS id\nMATCH (n0:Twin {twin_id: id})\nRETURN id, "


def compiled(
    query: str, variables: dict[str, Any] | None = None, key: str | None = None
) -> FusedStatement | None:
    """The fused statement of the root field `key` (the first one) of `query`."""
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = get_variable_values(SCHEMA, operation.variable_definitions or (), variables or {})
    assert not isinstance(values, list), values  # errors
    fields = collect_fields([operation.selection_set], fragments, values)
    nodes = fields[key] if key is not None else next(iter(fields.values()))
    return FUSION.compile("Query", nodes, fragments, values)


def first_field(query: str, depth: int) -> FieldNode:
    """The first field `depth` levels down `query` (1: its first root field)."""
    [operation] = parse(query).definitions
    assert isinstance(operation, OperationDefinitionNode)
    selection_set = operation.selection_set
    for _ in range(depth):
        field = selection_set.selections[0]
        assert isinstance(field, FieldNode)
        selection_set = field.selection_set  # type: ignore[assignment]
    return field


def snapshot(text: str) -> str:
    return dedent(text).strip("\n")


# -- snapshots ---------------------------------------------------------------------------------

CASES = {
    "one equipment and its points with their values (the small query)": (
        '{ node(twinId: "ahu-1") { twinId name points { twinId name '
        "current { value unit timestamp health } } } }",
        {},
        HEAD
        + snapshot("""
            [
              n0.twin_id,
              n0.name,
              COLLECT {
                MATCH (n0)-[:HAS_POINT]->(n1:Twin)
                WHERE NOT n1:Retired AND n1.kind IN $kinds1
                WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first2
                RETURN [
                  n1.twin_id,
                  n1.name,
                  CURRENT1
                ]
              }
            ] AS value""").replace("CURRENT1", CURRENT.format(n="n1")),
        {"ids": ["ahu-1"], "kinds1": ["Point"], "first2": 100},
        Shape(
            ("twinId", "name", "points"),
            (
                (
                    2,
                    True,
                    Shape(
                        ("twinId", "name", "current"),
                        ((2, False, Shape(("value", "unit", "timestamp", "health"), ())),),
                    ),
                ),
            ),
        ),
    ),
    "a building four levels deep, types, kinds and a variable (the benchmark's query)": (
        """query Building($id: ID!) { node(twinId: $id) { twinId name
             children(types: [CONTAINS]) { twinId name children(types: [CONTAINS]) { twinId name
               children(types: [LOCATED_IN], kinds: ["Equipment"]) { twinId name
                 points { twinId current { value unit timestamp health } } } } } } }""",
        {"id": "site-1.bldg-1"},
        HEAD
        + snapshot("""
            [
              n0.twin_id,
              n0.name,
              COLLECT {
                MATCH (n0)-[:CONTAINS]->(n1:Twin)
                WHERE NOT n1:Retired
                WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first1
                RETURN [
                  n1.twin_id,
                  n1.name,
                  COLLECT {
                    MATCH (n1)-[:CONTAINS]->(n2:Twin)
                    WHERE NOT n2:Retired
                    WITH DISTINCT n2 ORDER BY n2.name, n2.twin_id LIMIT $first2
                    RETURN [
                      n2.twin_id,
                      n2.name,
                      COLLECT {
                        MATCH (n2)<-[:LOCATED_IN]-(n3:Twin)
                        WHERE NOT n3:Retired AND n3.kind IN $kinds3
                        WITH DISTINCT n3 ORDER BY n3.name, n3.twin_id LIMIT $first4
                        RETURN [
                          n3.twin_id,
                          n3.name,
                          COLLECT {
                            MATCH (n3)-[:HAS_POINT]->(n4:Twin)
                            WHERE NOT n4:Retired AND n4.kind IN $kinds5
                            WITH DISTINCT n4 ORDER BY n4.name, n4.twin_id LIMIT $first6
                            RETURN [
                              n4.twin_id,
                              CURRENT4
                            ]
                          }
                        ]
                      }
                    ]
                  }
                ]
              }
            ] AS value""").replace("CURRENT4", CURRENT.format(n="n4")),
        {
            "ids": ["site-1.bldg-1"],
            "first1": 100,
            "first2": 100,
            "kinds3": ["Equipment"],
            "first4": 100,
            "kinds5": ["Point"],
            "first6": 100,
        },
        None,
    ),
    "children along the default hierarchy: both ways, one UNION; a page and retirement": (
        '{ node(twinId: "b1") { children(first: 3) { name retired { at by } } } }',
        {},
        HEAD
        + snapshot("""
            [
              COLLECT {
                CALL (n0) {
                  MATCH (n0)-[:CONTAINS|HAS_PART|HAS_POINT]->(n1:Twin)
                  WHERE NOT n1:Retired
                  RETURN n1
                  UNION
                  MATCH (n0)<-[:LOCATED_IN]-(n1:Twin)
                  WHERE NOT n1:Retired
                  RETURN n1
                }
                WITH n1 ORDER BY n1.name, n1.twin_id LIMIT $first1
                RETURN [
                  n1.name,
                  CASE WHEN n1:Retired THEN [toString(n1.retired_at), n1.retired_by] END
                ]
              }
            ] AS value"""),
        {"ids": ["b1"], "first1": 3},
        Shape(
            ("children",),
            ((0, True, Shape(("name", "retired"), ((1, False, Shape(("at", "by"), ())),))),),
        ),
    ),
    "the way up: parent (the first or null) and parents against a flow type": (
        '{ node(twinId: "vav-101") { parent { twinId } parents(types: [FEEDS], first: 2) '
        "{ name } } }",
        {},
        HEAD
        + snapshot("""
            [
              head(COLLECT {
                CALL (n0) {
                  MATCH (n0)-[:LOCATED_IN]->(n1:Twin)
                  WHERE NOT n1:Retired
                  RETURN n1
                  UNION
                  MATCH (n0)<-[:CONTAINS|HAS_PART|HAS_POINT]-(n1:Twin)
                  WHERE NOT n1:Retired
                  RETURN n1
                }
                WITH n1 ORDER BY n1.name, n1.twin_id LIMIT $first1
                RETURN [
                  n1.twin_id
                ]
              }),
              COLLECT {
                MATCH (n0)<-[:FEEDS]-(n1:Twin)
                WHERE NOT n1:Retired
                WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first2
                RETURN [
                  n1.name
                ]
              }
            ] AS value"""),
        {"ids": ["vav-101"], "first1": 1, "first2": 2},
        Shape(
            ("parent", "parents"),
            ((0, False, Shape(("twinId",), ())), (1, True, Shape(("name",), ()))),
        ),
    ),
    "aliases, a fragment and __typename: keys in the shape, type names as parameters": (
        """{ a: node(twinId: "ahu-1") { id: twinId ...n pts: points(first: 2)
               { __typename current { t: __typename v: value } } }
           }
           fragment n on Node { label: name }""",
        {},
        HEAD
        + snapshot("""
            [
              n0.twin_id,
              n0.name,
              COLLECT {
                MATCH (n0)-[:HAS_POINT]->(n1:Twin)
                WHERE NOT n1:Retired AND n1.kind IN $kinds1
                WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first2
                RETURN [
                  $typename3,
                  CASE WHEN n1:Point THEN [$typename4, VALUE] END
                ]
              }
            ] AS value""").replace("VALUE", OBJECT_VIEWS["current"][1]["value"].format(n="n1")),
        {
            "ids": ["ahu-1"],
            "kinds1": ["Point"],
            "first2": 2,
            "typename3": "Node",
            "typename4": "CurrentValue",
        },
        Shape(
            ("id", "label", "pts"),
            ((2, True, Shape(("__typename", "current"), ((1, False, Shape(("t", "v"), ())),))),),
        ),
    ),
    "nodesById: each id read once, @skip and @include by variables": (
        """query($ids: [ID!]!, $no: Boolean!) { nodesById(twinIds: $ids) {
             twinId name @skip(if: $no) kind @include(if: $no) points(first: 2) { twinId } } }""",
        {"ids": ["p2", "p1", "p2"], "no": True},
        HEAD
        + snapshot("""
            [
              n0.twin_id,
              n0.kind,
              COLLECT {
                MATCH (n0)-[:HAS_POINT]->(n1:Twin)
                WHERE NOT n1:Retired AND n1.kind IN $kinds1
                WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first2
                RETURN [
                  n1.twin_id
                ]
              }
            ] AS value"""),
        {"ids": ["p2", "p1"], "kinds1": ["Point"], "first2": 2},
        Shape(("twinId", "kind", "points"), ((2, True, Shape(("twinId",), ())),)),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_query_compiles_to_the_exact_cypher_and_parameters(case: str):
    query, variables, text, parameters, shape = CASES[case]
    statement = compiled(query, variables)
    assert statement is not None
    assert statement.text == text
    assert statement.parameters == parameters
    if shape is not None:
        assert statement.shape == shape


def test_a_field_of_a_node_compiles_for_all_its_parents_at_once():
    query = '{ x { children(types: [HAS_PART], kinds: ["Equipment"]) { name points { name } } } }'
    children = first_field(query, 2)
    statement = FUSION.compile("Node", [children], {}, {}, ["a", "b", "a"])
    assert statement is not None
    assert statement.text == HEAD + snapshot("""
        COLLECT {
          MATCH (n0)-[:HAS_PART]->(n1:Twin)
          WHERE NOT n1:Retired AND n1.kind IN $kinds1
          WITH DISTINCT n1 ORDER BY n1.name, n1.twin_id LIMIT $first2
          RETURN [
            n1.name,
            COLLECT {
              MATCH (n1)-[:HAS_POINT]->(n2:Twin)
              WHERE NOT n2:Retired AND n2.kind IN $kinds3
              WITH DISTINCT n2 ORDER BY n2.name, n2.twin_id LIMIT $first4
              RETURN [
                n2.name
              ]
            }
          ]
        } AS value""")
    assert statement.parameters == {"ids": ["a", "b"], "kinds1": ["Equipment"], "first2": 100,
                                    "kinds3": ["Point"], "first4": 100}  # fmt: skip
    rows = [{"id": "a", "value": [["Fan", [["Speed"]]], ["Motor", []]]}]  # b has none: no row
    values, objects = statement.answer(rows, [{"twin_id": "a"}, {"twin_id": "b"}])
    assert values == [[{"name": "Fan", "points": [{"name": "Speed"}]},
                       {"name": "Motor", "points": []}], []]  # fmt: skip
    assert objects == 3


def test_rows_become_the_answer_in_the_order_of_the_query_with_every_object_counted():
    statement = compiled(CASES["aliases, a fragment and __typename: keys in the shape, type "
                               "names as parameters"][0])  # fmt: skip
    assert statement is not None
    row = {"id": "ahu-1", "value": ["ahu-1", "AHU-1", [["Node", ["CurrentValue", 21.5]],
                                                       ["Node", None]]]}  # fmt: skip
    values, objects = statement.answer([row], [None])
    assert values == [
        {
            "id": "ahu-1",
            "label": "AHU-1",
            "pts": [
                {"__typename": "Node", "current": {"t": "CurrentValue", "v": 21.5}},
                {"__typename": "Node", "current": None},
            ],
        }
    ]
    assert list(values[0]) == ["id", "label", "pts"]
    assert objects == 4  # the node, two points, one current value
    assert statement.answer([], [None]) == ([None], 0)  # no such node: null


def test_nodes_by_id_answers_in_the_order_asked_duplicates_kept_unknown_ids_left_out():
    query = '{ nodesById(twinIds: ["b", "a", "zz", "b"]) { twinId points { name } } }'
    statement = compiled(query)
    assert statement is not None
    rows = [{"id": "a", "value": ["a", []]}, {"id": "b", "value": ["b", [["p"]]]}]
    values, objects = statement.answer(rows, [None])
    b = {"twinId": "b", "points": [{"name": "p"}]}
    assert values == [[b, {"twinId": "a", "points": []}, b]]
    assert objects == 5


# -- what the per-level planner answers instead ------------------------------------------------

NOT_FUSED = {
    "one level (one statement either way; the catalogue's is planned once for all queries)": (
        '{ node(twinId: "b1") { twinId kind name brickClass labels retired { at } } }'
    ),
    "a field outside the node view (properties)": '{ node(twinId: "b") { name properties } }',
    "a field deep in the chain outside it (a walk)": (
        '{ node(twinId: "b") { children { points { name } downstream { twinId } } } }'
    ),
    "a past time (asOf)": (
        '{ node(twinId: "b", asOf: "2026-01-01T00:00:00Z") { children { name } } }'
    ),
    "retired entities asked for (includeRetired)": (
        '{ node(twinId: "b", includeRetired: true) { name } }'
    ),
    "lineage (a permission-guarded field)": '{ node(twinId: "b") { lineage { events { at } } } }',
    "nothing to follow (types: [])": '{ node(twinId: "b") { children(types: []) { name } } }',
    "another root field": "{ nodes(first: 2) { items { twinId } } }",
    "descendants": '{ node(twinId: "b") { descendants(maxDepth: 2) { twinId } } }',
}


@pytest.mark.parametrize("case", NOT_FUSED)
def test_what_fusion_cannot_answer_is_left_to_the_per_level_planner(case: str):
    assert compiled(NOT_FUSED[case]) is None


def test_a_field_of_no_parents_is_left_to_the_planner():
    statement = compiled('{ node(twinId: "b") { children { name } } }')
    assert statement is not None
    children = first_field("{ x { children { points { name } } } }", 2)
    assert FUSION.compile("Node", [children], {}, {}, []) is None
    assert FUSION.compile("Node", [children], {}, {}, ["p"]) is not None


# -- hygiene: values are parameters, identifiers come from the whitelist -----------------------

PROPERTY_KEYS = {"twin_id", "kind", "name", "brick_class", "retired_at", "retired_by", "value",
                 "unit", "value_at", "value_quality", "value_source", "health"}  # fmt: skip
"""The properties the node view reads (`cypher/api/nodes_by_id.cypher`)."""
FUNCTIONS = {"labels", "toString", "coalesce", "head"}
CONSTANTS = {"'unknown'", "'ok'"}
"""The node view's own defaults (a point's health without one)."""
KEYWORDS = {"UNWIND", "AS", "MATCH", "RETURN", "COLLECT", "WHERE", "NOT", "AND", "IN", "WITH",
            "DISTINCT", "ORDER", "BY", "LIMIT", "CALL", "UNION", "CASE", "WHEN", "THEN", "END",
            "IS", "NULL", "ELSE", "OR", "FLOAT", "INTEGER", "id", "value"}  # fmt: skip
"""Keywords, and the two columns: `id`, `value`."""

HOSTILE = "x'}) DETACH DELETE n //`$ids"


def _check_hygiene(statement: FusedStatement) -> None:
    text = statement.text
    # every $name is a parameter given, and every parameter is used
    assert set(re.findall(r"\$(\w+)", text)) == set(statement.parameters)
    # no literal values but the node view's two constants
    assert set(re.findall(r"'[^']*'", text)) <= CONSTANTS
    assert '"' not in text and "`" not in text
    without_constants = re.sub(r"'[^']*'", "", text)
    assert not re.search(r"(?<![\w$])\d", without_constants), "a number in the text"
    # relationship types from the vocabulary, labels from the fixed few
    for types in re.findall(r"\[:([^\]]*)\]", text):
        assert set(types.split("|")) <= set(vocabulary().relationship_types)
    assert set(re.findall(r"\bn\d+:(\w+)", text)) <= LABELS
    assert set(re.findall(r"\bn\d+\.(\w+)", text)) <= PROPERTY_KEYS
    # every other word is a keyword, a function, a node variable or a parameter
    outside_patterns = re.sub(r"\[:[^\]]*\]", "", without_constants)
    words = set(re.findall(r"(?<![\w$.:])[A-Za-z_]\w*", outside_patterns))
    assert words - KEYWORDS - FUNCTIONS - LABELS - {"twin_id"} <= {
        w for w in words if re.fullmatch(r"n\d+", w)
    }
    for value in statement.parameters.values():
        assert not (isinstance(value, str) and value in text)


@pytest.mark.parametrize("case", CASES)
def test_every_value_is_a_parameter_and_every_identifier_comes_from_the_whitelist(case: str):
    query, variables, *_ = CASES[case]
    statement = compiled(query, variables)
    assert statement is not None
    _check_hygiene(statement)


def test_hostile_values_and_aliases_never_enter_the_text():
    query = """query($id: ID!, $kinds: [String!], $n: Int!) {
      DETACH_DELETE_n: node(twinId: $id) { MATCH_n: name children(kinds: $kinds, first: $n)
        { x: twinId } } }"""
    variables = {"id": HOSTILE, "kinds": [HOSTILE, "Equipment"], "n": 7}
    statement = compiled(query, variables)
    assert statement is not None
    _check_hygiene(statement)
    assert HOSTILE not in statement.text and "DETACH" not in statement.text
    assert statement.parameters["ids"] == [HOSTILE]
    assert [HOSTILE, "Equipment"] in statement.parameters.values()
    assert statement.shape.keys == ("MATCH_n", "children")
    # a hand-built field node with an alias no GraphQL parser would give: not compiled at all
    node = first_field('{ node(twinId: "b") { name points { name } } }', 1)
    assert node.selection_set is not None
    hostile = FieldNode(alias=NameNode(value="x}) DETACH DELETE n //"), name=NameNode(value="name"),
                        arguments=(), directives=())  # fmt: skip
    points = node.selection_set.selections[1]
    forged = FieldNode(name=node.name, arguments=node.arguments, directives=(),
                       selection_set=SelectionSetNode(selections=(hostile, points)))  # fmt: skip
    assert FUSION.compile("Query", [forged], {}, {}) is None
    assert FUSION.compile("Query", [node], {}, {}) is not None


def test_relationship_types_outside_the_vocabulary_never_enter_a_pattern():
    whitelist = vocabulary().relationship_types
    assert type_alternatives(["CONTAINS", "HAS_PART"], whitelist) == "CONTAINS|HAS_PART"
    assert type_alternatives(["CONTAINS", "X]-() DETACH DELETE n //"], whitelist) is None
    assert type_alternatives(["contains"], {"contains"}) is None  # not spelled as a type
    assert type_alternatives([], whitelist) is None


def test_the_node_view_expressions_are_those_of_the_catalogue_node_view():
    """The fused answer must equal the per-level one: each expression is the one
    `cypher/api/nodes_by_id.cypher` uses for that key."""
    view = " ".join(cypher("api/nodes_by_id").split())
    plain_keys = {"twinId": "twin_id", "kind": "kind", "name": "name",
                  "brickClass": "brick_class", "labels": "labels"}  # fmt: skip
    for field, expression in NODE_VIEW.items():
        text = expression.format(n="n")
        assert f".{plain_keys[field]}" in view if text.startswith("n.") else f": {text}" in view
    for label, fields in OBJECT_VIEWS.values():
        assert f"CASE WHEN n:{label} THEN {{" in view
        for key, expression in fields.items():
            assert f"{key}: {expression.format(n='n')}" in view, key
