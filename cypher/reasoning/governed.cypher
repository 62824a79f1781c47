// Whether any constraint or regulation APPLIES_TO a live twin node (an anchor of
// contributions.cypher), and whether $scope is a live twin node (null: no scope asked about).
// Without an anchor no node has an effective constraint, so a scope has nothing to check:
// its violations and capacity checks are none, without walking its subtree (11,262 nodes for
// the 10,000-point building) to find nothing.
OPTIONAL MATCH (n:Twin {twin_id: $scope})
WHERE NOT n:Retired
RETURN n IS NOT NULL AS found,
       EXISTS { MATCH (:Constraint|Regulation)-[:APPLIES_TO]->(:Twin) } AS governed
