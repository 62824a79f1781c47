// The transactions running on the server now, with the query each runs (an operator's view:
// what is Neo4j busy with; tests check that a cancelled API query left nothing behind).
SHOW TRANSACTIONS YIELD transactionId, currentQuery, status, elapsedTime
RETURN transactionId, currentQuery, status, elapsedTime
