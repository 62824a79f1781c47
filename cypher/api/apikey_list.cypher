// Every API key, without its hash.
MATCH (k:ApiKey)
RETURN k.key_id AS key_id, k.name AS name, k.role AS role, toString(k.created_at) AS created_at,
       toString(k.revoked_at) AS revoked_at
ORDER BY k.created_at
