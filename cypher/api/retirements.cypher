// The retirement records of each twin_id of $ids (a node its sources stopped defining).
UNWIND $ids AS id
MATCH (r:Retired {twin_id: id})
RETURN id, r {.*} AS record
ORDER BY id, r.retired_at
