// One page of live twin nodes of one $kind in twin_id order: nodes_page.cypher for a page with
// a kind (the other filters as there, null: any). The kind and twin_id go to one seek of the
// (kind, twin_id) index (migration 0013) in its order, from $after (the empty string before the
// first page), so a page reads the nodes it returns and the ones its other filters drop, not
// every live :Twin node (nodes_page's `$kind IS NULL OR` cannot use an index). Asks for one
// more row than the page to know whether there is a next page. Returns ids. The hint keeps the
// seek on a small twin too, where the planner would rather read the kind index and sort.
MATCH (n:Twin)
USING INDEX n:Twin(kind, twin_id)
WHERE n.kind = $kind AND n.twin_id > coalesce($after, '')
  AND NOT n:Retired
  AND ($brick_classes IS NULL OR n.brick_class IN $brick_classes
       OR any(c IN coalesce(n.brick_classes, []) WHERE c IN $brick_classes))
  AND ($ifc_class IS NULL OR n.ifc_class = $ifc_class)
  AND ($isa95_level IS NULL OR n.isa95_level = $isa95_level)
  AND ($name_contains IS NULL OR toLower(n.name) CONTAINS toLower($name_contains))
  AND ($source IS NULL
       OR EXISTS { (n)-[a:ASSERTED_IN]->(:Source {source_id: $source}) WHERE size(a.keys) > 0 })
RETURN n.twin_id AS twin_id
ORDER BY n.kind, n.twin_id
LIMIT $limit
