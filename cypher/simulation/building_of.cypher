// The building (or, failing one, the topmost container) that holds each of $ids: the nearest
// Building above it along CONTAINS / HAS_PART, through at most one LOCATED_IN (a VAV box in a
// room), then up to 10 suppliers upstream along FEEDS / SERVES (a VAV box that serves a room
// of it but is located nowhere, the AHU that feeds that box), and the parts and points of what
// is reached there; else the farthest ancestor reached along CONTAINS / HAS_PART and one
// LOCATED_IN. Where several buildings are reached, the nearest counts (an AHU located in one
// building's plant room and feeding another's boxes belongs to the first). A what-if run
// covers one building.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
OPTIONAL MATCH p = SHORTEST 1 (b:Building)-[:CONTAINS|HAS_PART]->{0,12}(:Twin)
  <-[:LOCATED_IN]-{0,1}(:Twin)<-[:FEEDS|SERVES]-{0,10}(:Twin)-[:HAS_PART|HAS_POINT]->{0,4}(n)
WHERE NOT b:Retired
OPTIONAL MATCH q = (top:Twin)-[:CONTAINS|HAS_PART]->{0,12}(:Twin)
  <-[:LOCATED_IN]-{0,1}(:Twin)-[:HAS_PART|HAS_POINT]->{0,4}(n)
WHERE NOT top:Retired AND top <> n AND NOT EXISTS { (:Twin)-[:CONTAINS]->(top) }
WITH id, b, top, q
ORDER BY length(q) DESC
WITH id, b, collect(top.twin_id)[0] AS topmost
RETURN id AS twin_id, b.twin_id AS building, coalesce(b.twin_id, topmost, id) AS scope
