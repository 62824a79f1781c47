// One page of the twin nodes that existed at $at, in twin_id order, filtered as nodes_page.cypher
// filters the live ones. A closed version keeps its Brick classes, IFC class, ISA-95 level and
// sources in JSON (`props`, `assertions`), which Cypher cannot read: with $json_filters it
// returns those texts, unpaged, for the caller to filter; without, at most $limit rows.
CALL () {
  MATCH (n:Twin)
  WHERE n.version_from <= $at
    AND ($kind IS NULL OR n.kind = $kind)
    AND ($brick_classes IS NULL OR n.brick_class IN $brick_classes
         OR any(c IN coalesce(n.brick_classes, []) WHERE c IN $brick_classes))
    AND ($ifc_class IS NULL OR n.ifc_class = $ifc_class)
    AND ($isa95_level IS NULL OR n.isa95_level = $isa95_level)
    AND ($name_contains IS NULL OR toLower(n.name) CONTAINS toLower($name_contains))
    AND ($source IS NULL
         OR EXISTS { (n)-[a:ASSERTED_IN]->(:Source {source_id: $source}) WHERE size(a.keys) > 0 })
    AND ($after IS NULL OR n.twin_id > $after)
  RETURN n.twin_id AS twin_id, null AS props, null AS assertions
  UNION ALL
  MATCH (v:NodeVersion)
  WHERE v.version_from <= $at AND $at < v.version_to
    AND ($kind IS NULL OR v.kind = $kind)
    AND ($name_contains IS NULL OR toLower(v.name) CONTAINS toLower($name_contains))
    AND ($after IS NULL OR v.twin_id > $after)
  RETURN v.twin_id AS twin_id, CASE WHEN $json_filters THEN v.props END AS props,
         CASE WHEN $json_filters THEN v.assertions END AS assertions
}
RETURN twin_id, props, assertions
ORDER BY twin_id
LIMIT CASE WHEN $json_filters THEN 1000000000 ELSE $limit END
