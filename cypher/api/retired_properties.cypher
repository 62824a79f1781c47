// The last properties of each retired entity of $ids, as its newest retirement record keeps
// them (with retired_at and retired_by): the `properties` of a node shown with includeRetired.
UNWIND $ids AS id
MATCH (n:Retired {twin_id: id})
WITH id, n ORDER BY n.retired_at DESC
WITH id, collect(n)[0] AS n
RETURN id, properties(n) AS props
