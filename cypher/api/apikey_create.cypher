// A new API key: its id, a name for people, its role and the SHA-256 of its secret.
CREATE (k:ApiKey {key_id: $key_id, name: $name, role: $role, secret_sha256: $secret_sha256,
                  created_at: datetime($created_at)})
RETURN k.key_id AS key_id
