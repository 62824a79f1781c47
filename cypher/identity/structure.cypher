// The relationships among those nodes that place and structure evidence is drawn from.
MATCH (a:Twin)-[r:CONTAINS|LOCATED_IN|FEEDS|SERVES|HAS_PART|MEMBER_OF]->(b:Twin)
WHERE a.kind IN $kinds AND b.kind IN $kinds
RETURN a.twin_id AS start, type(r) AS type, b.twin_id AS end
