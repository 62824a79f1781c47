// Retire twin nodes that no source defines any more. They leave the live twin (the Twin and
// kind labels go, with every relationship) but stay as history:
// (:Retired {twin_id, kind, ..., retired_at, retired_by}). Returns how many relationships
// between twin nodes went with them. The loader closed their last versions (retired) and those
// of their relationships first; the version bookkeeping leaves with the Twin label.
UNWIND $node_eids AS node_eid
MATCH (n) WHERE elementId(n) = node_eid
CALL (n) {
  OPTIONAL MATCH (n)-[r]-(m)
  WITH r, m WHERE r IS NOT NULL
  DELETE r
  RETURN count(CASE WHEN m:Twin THEN 1 END) AS twin_relationships
}
REMOVE n:Twin
REMOVE n:$(n.kind)
REMOVE n.version_from, n.version_source, n.version_run
SET n:Retired, n.retired_at = $now, n.retired_by = $source_id
RETURN sum(twin_relationships) AS relationships
