// The retired records of a twin_id, newest first (an entity can be retired more than once).
MATCH (n:Retired {twin_id: $twin_id})
RETURN properties(n) AS props, n.retired_at AS retired_at, n.retired_by AS retired_by
ORDER BY retired_at DESC
