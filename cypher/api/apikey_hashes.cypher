// Every API key with the hash of its secret, its role and whether it is revoked: what the API
// keeps in memory to check keys, also while Neo4j is away.
MATCH (k:ApiKey)
RETURN k.key_id AS key_id, k.name AS name, k.role AS role, k.secret_sha256 AS secret_sha256,
       k.revoked_at IS NOT NULL AS revoked
