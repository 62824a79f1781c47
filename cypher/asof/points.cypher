// The twin_ids of the points the twin held at $at (live Point nodes whose version began at or
// before $at, and closed Point versions valid at $at), optionally only those among $ids (a
// subtree): the points whose values `diff twin --values` compares.
CALL () {
  MATCH (n:Point) WHERE n.version_from <= $at AND ($ids IS NULL OR n.twin_id IN $ids)
  RETURN n.twin_id AS twin_id
  UNION
  MATCH (v:NodeVersion) WHERE v.version_from <= $at AND $at < v.version_to
    AND 'Point' IN v.labels AND ($ids IS NULL OR v.twin_id IN $ids)
  RETURN v.twin_id AS twin_id
}
RETURN twin_id ORDER BY twin_id
