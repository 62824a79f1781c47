// The twin nodes a source defines (asserts some of their properties; endpoints it only refers
// to are not its own), and whether the source exists at all.
OPTIONAL MATCH (s:Source {source_id: $source_id})
OPTIONAL MATCH (s)<-[a:ASSERTED_IN]-(n:Twin)
WHERE size(a.keys) > 0
RETURN s IS NOT NULL AS found, collect(n.twin_id) AS ids
