// Nodes that select what they apply to by attributes (governance constraints, procedures,
// regulations, roles, people), with their selector. Index: twin_selects_as (migration 3).
MATCH (s:Twin)
WHERE s.selects_as IS NOT NULL
RETURN elementId(s) AS eid, s.twin_id AS twin_id, s.selects_as AS rel_type,
       s.selects_kind AS kind, s.selects_brick_class AS brick_class,
       s.selects_ifc_class AS ifc_class, s.selects_isa95_level AS isa95_level,
       s.selects_within AS within
