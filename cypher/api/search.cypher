// Twin nodes whose name or twin_id matches a full-text query (Lucene syntax already escaped by
// the caller), best match first; ids (nodes_by_id.cypher shapes the nodes). Live nodes, and
// with $include_retired also retired entities that no live node has come back as.
CALL () {
  CALL db.index.fulltext.queryNodes('twin_text', $query) YIELD node, score
  RETURN node, score
  UNION ALL
  WITH 1 AS wanted WHERE $include_retired
  CALL db.index.fulltext.queryNodes('retired_text', $query) YIELD node, score
  WITH node, score WHERE NOT EXISTS { MATCH (:Twin {twin_id: node.twin_id}) }
  RETURN node, score
}
WITH node, score WHERE $kind IS NULL OR node.kind = $kind
WITH node.twin_id AS twin_id, max(score) AS score
RETURN twin_id, score
ORDER BY score DESC, twin_id
LIMIT $limit
