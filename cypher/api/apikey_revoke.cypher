// Revoke an API key (kept, so its use stays explainable); returns nothing for an unknown id.
MATCH (k:ApiKey {key_id: $key_id})
SET k.revoked_at = coalesce(k.revoked_at, datetime($revoked_at))
RETURN k.key_id AS key_id
