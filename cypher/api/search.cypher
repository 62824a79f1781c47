// Live twin nodes whose name or twin_id matches a full-text query (Lucene syntax already
// escaped by the caller), best match first; ids (nodes_by_id.cypher shapes the nodes).
CALL db.index.fulltext.queryNodes('twin_text', $query) YIELD node, score
WHERE NOT node:Retired AND ($kind IS NULL OR node.kind = $kind)
RETURN node.twin_id AS twin_id, score
ORDER BY score DESC, twin_id
LIMIT $limit
