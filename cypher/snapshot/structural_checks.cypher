// Structural facts about a snapshot's nodes ($ids; null: the whole twin), counted when the
// snapshot is taken: points no entity has (no HAS_POINT to them), and equipment placed nowhere
// (not LOCATED_IN anything, and neither contained in nor part of anything). Each with its count
// and the first $sample twin_ids. Always one row.
MATCH (n:Twin)
WHERE ($ids IS NULL OR n.twin_id IN $ids) AND NOT n:Retired
WITH n,
     n:Point AND NOT EXISTS { (:Twin)-[:HAS_POINT]->(n) } AS orphan,
     n:Equipment AND NOT EXISTS { (n)-[:LOCATED_IN]->(:Twin) }
       AND NOT EXISTS { (:Twin)-[:CONTAINS|HAS_PART]->(n) } AS unplaced
ORDER BY n.twin_id
WITH collect(CASE WHEN orphan THEN n.twin_id END) AS orphans,
     collect(CASE WHEN unplaced THEN n.twin_id END) AS unplaced
RETURN [{check: 'points_without_equipment', count: size(orphans), examples: orphans[..$sample]},
        {check: 'equipment_without_location', count: size(unplaced),
         examples: unplaced[..$sample]}] AS checks
