// Migration 13: nodes of one kind in twin_id order (api/nodes_page_kind: `nodes(kind:)` pages,
// the people an inbox item can be assigned to). The equality on kind and the range on twin_id
// are one seek of this index, in its order, so a page reads about as many nodes as it returns
// instead of every live twin node (the single-property twin_kind index gives no order).
CREATE INDEX twin_kind_twin_id IF NOT EXISTS
FOR (n:Twin) ON (n.kind, n.twin_id);
