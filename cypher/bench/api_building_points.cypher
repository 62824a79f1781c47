// API benchmark baseline: the one hand-written query for what the benchmark's GraphQL query
// returns: a building, its floors, their spaces, the equipment located in each and its points
// with their current values. Live nodes only, each list in (name, twin_id) order, as the API
// answers; the value's health defaults as the API's (unknown without a value, else ok); the
// value's time as ISO 8601 text, as the API answers it.
MATCH (b:Twin {twin_id: $id})
RETURN b.twin_id AS twinId, b.name AS name, COLLECT {
  MATCH (b)-[:CONTAINS]->(f:Twin)
  WHERE NOT f:Retired
  WITH f ORDER BY f.name, f.twin_id
  RETURN {twinId: f.twin_id, name: f.name, children: COLLECT {
    MATCH (f)-[:CONTAINS]->(s:Twin)
    WHERE NOT s:Retired
    WITH s ORDER BY s.name, s.twin_id
    RETURN {twinId: s.twin_id, name: s.name, children: COLLECT {
      MATCH (s)<-[:LOCATED_IN]-(e:Twin)
      WHERE NOT e:Retired AND e.kind = 'Equipment'
      WITH e ORDER BY e.name, e.twin_id
      RETURN {twinId: e.twin_id, name: e.name, points: COLLECT {
        MATCH (e)-[:HAS_POINT]->(p:Twin)
        WHERE NOT p:Retired AND p.kind = 'Point'
        WITH p ORDER BY p.name, p.twin_id
        RETURN {twinId: p.twin_id, name: p.name, current: {
          value: p.value, unit: p.unit, timestamp: toString(p.value_at),
          health: coalesce(p.health, CASE WHEN p.value IS NULL THEN 'unknown' ELSE 'ok' END)
        }}
      }}
    }}
  }}
} AS children
