// The twin_ids whose state may differ between $from and $to ($from < $to): live nodes whose
// version began in ($from, $to], closed versions that began or ended in it.
CALL () {
  MATCH (n:Twin) WHERE $from < n.version_from AND n.version_from <= $to
  RETURN n.twin_id AS twin_id
  UNION
  MATCH (v:NodeVersion) WHERE $from < v.version_from AND v.version_from <= $to
  RETURN v.twin_id AS twin_id
  UNION
  MATCH (v:NodeVersion) WHERE $from < v.version_to AND v.version_to <= $to
  RETURN v.twin_id AS twin_id
}
RETURN twin_id
