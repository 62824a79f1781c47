// Delete every twin node and source (the schema stays). Runs in an auto-commit transaction.
MATCH (n) WHERE n:Twin OR n:Source
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
