// For each source of $ids, one page of the live nodes it asserts (twin_id order, after $after),
// with the keys it asserts of each. Asks for one row more than the page to see a next page.
UNWIND $ids AS sid
MATCH (s:Source {source_id: sid})<-[a:ASSERTED_IN]-(n:Twin)
WHERE size(a.keys) > 0 AND NOT n:Retired AND ($after IS NULL OR n.twin_id > $after)
WITH sid, n, a.keys AS keys
ORDER BY sid, n.twin_id
WITH sid, collect({n: n, keys: keys})[..$limit] AS page
UNWIND page AS row
RETURN sid AS id, row.n AS n, row.keys AS keys
