// The twin nodes of a snapshot ($ids: their twin_ids; null: the whole twin), each with every
// stored property, the sources that define it (an assertion with keys; a source that only refers
// to the node does not count) and when it last changed: its newest asserted change or its live
// value, whichever is later. Times as ISO text.
MATCH (n:Twin)
WHERE ($ids IS NULL OR n.twin_id IN $ids) AND NOT n:Retired
CALL (n) {
  OPTIONAL MATCH (n)-[a:ASSERTED_IN]->(s:Source)
  WHERE size(a.keys) > 0
  UNWIND CASE WHEN size(coalesce(a.changed_at, [])) = 0 THEN [null] ELSE a.changed_at END
    AS changed
  RETURN collect(DISTINCT s.source_id) AS sources, max(changed) AS asserted_at
}
WITH n, sources,
     CASE WHEN n.value_at IS NOT NULL AND (asserted_at IS NULL OR n.value_at > asserted_at)
          THEN n.value_at ELSE asserted_at END AS last_updated
RETURN n.twin_id AS twin_id, n.kind AS kind, n {.*, value_at: toString(n.value_at)} AS props,
       sources, toString(last_updated) AS last_updated
ORDER BY twin_id
