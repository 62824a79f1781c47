// Every label of the database in the order Neo4j lists a node's labels (the order of their
// tokens): labels a closed version kept (sorted) are shown in the order labels(n) gave then.
CALL db.labels() YIELD label
RETURN collect(label) AS labels
