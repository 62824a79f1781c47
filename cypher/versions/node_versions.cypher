// The closed versions of one twin_id, oldest first (its history before the live version).
MATCH (v:NodeVersion {twin_id: $twin_id})
RETURN v {.*} AS version
ORDER BY v.version_from
