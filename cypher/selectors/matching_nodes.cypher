// Twin nodes with the given attributes; a null parameter does not filter.
MATCH (n:Twin)
WHERE ($kind IS NULL OR n.kind = $kind)
  AND ($brick_class IS NULL OR n.brick_class = $brick_class)
  AND ($ifc_class IS NULL OR n.ifc_class = $ifc_class)
  AND ($isa95_level IS NULL OR n.isa95_level = $isa95_level)
RETURN elementId(n) AS eid
