// One page of live twin nodes in twin_id order, filtered by what is given (null: any):
// $brick_classes are the Brick classes that match (the caller adds the subclasses), as a
// node's brick_class or among its brick_classes; $source keeps the nodes that source defines.
// $after is the last twin_id of the previous page. Asks for one more row than the page to
// know whether there is a next page. Returns ids; nodes_by_id.cypher shapes the nodes.
// The page is read in twin_id index order from $after (the empty string before the first page:
// no twin_id is empty), so a page reads about as many nodes as it returns when the filters are
// not rare, instead of every live node sorted (an `$after IS NULL OR` cannot use the index).
MATCH (n:Twin)
WHERE NOT n:Retired
  AND ($kind IS NULL OR n.kind = $kind)
  AND ($brick_classes IS NULL OR n.brick_class IN $brick_classes
       OR any(c IN coalesce(n.brick_classes, []) WHERE c IN $brick_classes))
  AND ($ifc_class IS NULL OR n.ifc_class = $ifc_class)
  AND ($isa95_level IS NULL OR n.isa95_level = $isa95_level)
  AND ($name_contains IS NULL OR toLower(n.name) CONTAINS toLower($name_contains))
  AND ($source IS NULL
       OR EXISTS { (n)-[a:ASSERTED_IN]->(:Source {source_id: $source}) WHERE size(a.keys) > 0 })
  AND n.twin_id > coalesce($after, '')
RETURN n.twin_id AS twin_id
ORDER BY n.twin_id
LIMIT $limit
