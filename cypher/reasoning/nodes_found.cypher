// Which of $ids are live twin nodes. Retired entities are history (label Retired, no Twin
// label), not part of the twin, so they are not found.
UNWIND $ids AS id
OPTIONAL MATCH (n:Twin {twin_id: id})
WHERE NOT n:Retired
RETURN collect({id: id, found: n IS NOT NULL}) AS rows
