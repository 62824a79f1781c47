// Live twin nodes whose name or twin_id matches a full-text query (Lucene syntax already
// escaped by the caller), best match first.
CALL db.index.fulltext.queryNodes('twin_text', $query) YIELD node, score
WHERE NOT node:Retired AND ($kind IS NULL OR node.kind = $kind)
RETURN node AS n, score
ORDER BY score DESC, n.twin_id
LIMIT $limit
