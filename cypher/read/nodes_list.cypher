// Live twin nodes in twin_id order, filtered by what is given (null: any): $kind; the Brick
// classes $brick_classes (the caller adds the subclasses), as a node's brick_class or among
// its brick_classes; $ids, a part of the twin (a subtree, what a source defines).
MATCH (n:Twin)
WHERE ($ids IS NULL OR n.twin_id IN $ids)
  AND ($kind IS NULL OR n.kind = $kind)
  AND ($brick_classes IS NULL OR n.brick_class IN $brick_classes
       OR any(c IN coalesce(n.brick_classes, []) WHERE c IN $brick_classes))
RETURN n.twin_id AS twin_id, n.kind AS kind, n.name AS name, n.brick_class AS brick_class
ORDER BY twin_id
