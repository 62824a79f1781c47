// The stored hash and role of one API key (revoked keys included: the caller refuses them).
MATCH (k:ApiKey {key_id: $key_id})
RETURN k.key_id AS key_id, k.name AS name, k.role AS role, k.secret_sha256 AS secret_sha256,
       k.revoked_at IS NOT NULL AS revoked
