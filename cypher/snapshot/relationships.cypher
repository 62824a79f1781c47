// The relationships of a snapshot: those of the vocabulary's $types between two of its nodes
// ($ids; null: the whole twin), derived ones (selectors) included, since they are twin state.
MATCH (a:Twin)-[r]->(b:Twin)
WHERE type(r) IN $types AND NOT a:Retired AND NOT b:Retired
  AND ($ids IS NULL OR (a.twin_id IN $ids AND b.twin_id IN $ids))
RETURN a.twin_id AS start_id, type(r) AS type, b.twin_id AS end_id
ORDER BY start_id, type, end_id
