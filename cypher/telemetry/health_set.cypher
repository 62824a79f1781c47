// Health of points the staleness monitor judged (`stale`), or that recovered without a new
// value reaching the graph yet (`ok`).
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id}) WHERE p:Point
SET p.health = row.health
RETURN count(p) AS updated
