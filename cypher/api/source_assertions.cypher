// For each source of $ids, one page of the live nodes it asserts (twin_id order, after $after).
// Asks for one row more than the page to see a next page. Returns ids.
UNWIND $ids AS sid
MATCH (s:Source {source_id: sid})<-[a:ASSERTED_IN]-(n:Twin)
WHERE size(a.keys) > 0 AND NOT n:Retired AND ($after IS NULL OR n.twin_id > $after)
WITH sid, n.twin_id AS twin_id
ORDER BY sid, twin_id
WITH sid, collect(twin_id)[..$limit] AS page
UNWIND page AS twin_id
RETURN sid AS id, twin_id
