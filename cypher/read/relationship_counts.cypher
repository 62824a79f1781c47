// Relationships between twin nodes per type.
MATCH (:Twin)-[r]->(:Twin)
RETURN type(r) AS type, count(*) AS count
ORDER BY type
