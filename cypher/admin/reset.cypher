// Delete every twin node, source and retired record (the schema stays). Runs in an auto-commit
// transaction.
MATCH (n) WHERE n:Twin OR n:Source OR n:Retired
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
