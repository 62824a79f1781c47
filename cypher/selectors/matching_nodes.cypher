// Twin nodes with the attributes each selector asks for, for all selectors at once; a null
// field does not filter. selectors: {eid, kind, brick_class, ifc_class, isa95_level}
UNWIND $selectors AS sel
MATCH (n:Twin)
WHERE (sel.kind IS NULL OR n.kind = sel.kind)
  AND (sel.brick_class IS NULL OR n.brick_class = sel.brick_class)
  AND (sel.ifc_class IS NULL OR n.ifc_class = sel.ifc_class)
  AND (sel.isa95_level IS NULL OR n.isa95_level = sel.isa95_level)
RETURN sel.eid AS selector, elementId(n) AS eid
