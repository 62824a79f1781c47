// For each node of $ids, the live twin nodes one step away: along $outgoing types (id -> other) and
// against $incoming types (other -> id), optionally only of $kinds. One row per (id, other); $limit
// caps the rows per node.
UNWIND $ids AS id
MATCH (p:Twin {twin_id: id})
CALL (p) {
  MATCH (p)-[r]->(c:Twin) WHERE type(r) IN $outgoing
  RETURN c, type(r) AS via
  UNION
  MATCH (p)<-[r]-(c:Twin) WHERE type(r) IN $incoming
  RETURN c, type(r) AS via
}
WITH id, c, via
WHERE NOT c:Retired AND ($kinds IS NULL OR c.kind IN $kinds)
WITH id, c, collect(via)[0] AS via
ORDER BY id, c.name, c.twin_id
WITH id, collect({n: c, via: via})[..$limit] AS found
UNWIND found AS f
RETURN id, f.n AS n, f.via AS via
