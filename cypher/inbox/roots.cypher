// Where the inbox looks for constraint violations when it has no scope: every live site, and
// every live building no site contains.
MATCH (r:Twin)
WHERE (r:Site OR r:Building) AND NOT r:Retired
  AND NOT EXISTS { (:Twin)-[:CONTAINS]->(r) }
RETURN r.twin_id AS twin_id
ORDER BY twin_id
