// The flow network below each of $parents, for capacity checks: every node reachable from the
// parent down FEEDS, with SAME_AS crossed either way at up to four places (at most 2 hops
// each: the AHU in Brick is the AHU in IFC, whose riser feeds the IFC boxes that are the Brick
// boxes), each with its SAME_AS cluster and the nodes of the network it FEEDS. One shortest
// route per node, bounded (two stretches of at most 8 FEEDS), so loops cannot blow up. Python
// (graphtwin/reasoning/capacity.py) decides what the parent's children are and what each
// demands. One record: `rows`.
UNWIND $parents AS pid
MATCH (parent:Twin {twin_id: pid})
WHERE NOT parent:Retired
MATCH SHORTEST 1 (parent)
  -[:SAME_AS]-{0,2}(:Twin)-[:FEEDS]->{0,8}(:Twin)-[:SAME_AS]-{0,2}(:Twin)
  -[:FEEDS]->{0,8}(:Twin)-[:SAME_AS]-{0,2}(n:Twin)
WITH pid, collect(DISTINCT n) AS reach
UNWIND reach AS a
CALL (a) {
  MATCH (a)-[:SAME_AS]-{0,6}(m:Twin)
  RETURN collect(DISTINCT m.twin_id) AS members
}
CALL (a, reach) {
  OPTIONAL MATCH (a)-[:FEEDS]->(b:Twin)
  WHERE b IN reach
  RETURN collect(DISTINCT b.twin_id) AS feeds
}
WITH pid AS parent, a.twin_id AS twin_id, a.name AS name, members, feeds
ORDER BY parent, twin_id
RETURN collect({parent: parent, twin_id: twin_id, name: name, members: members, feeds: feeds})
  AS rows
