// What supplies the scope $ids (its subtree, reasoning/subtree) from outside it: the equipment
// that serves something in it (SERVES) and what feeds that equipment (FEEDS, up to 10 hops),
// with their points. An issue of the AHU that feeds a floor's VAVs belongs in that floor's
// inbox, though the AHU stands in the plant room.
UNWIND $ids AS id
MATCH (x:Twin {twin_id: id})<-[:SERVES]-(:Twin)<-[:FEEDS]-{0,10}(u:Twin)
WITH DISTINCT u
RETURN u.twin_id AS twin_id
UNION
UNWIND $ids AS id
MATCH (x:Twin {twin_id: id})<-[:SERVES]-(:Twin)<-[:FEEDS]-{0,10}(:Twin)-[:HAS_POINT]->(p:Twin)
RETURN DISTINCT p.twin_id AS twin_id
