// The last properties of each entity of $ids retired by $at (JSON `text`, from its newest
// version closed by a retirement then), with when and by which source it was retired, as
// retired_properties.cypher shows a retired entity's.
UNWIND $ids AS id
MATCH (v:NodeVersion {twin_id: id})
WHERE v.retired AND v.version_to <= $at
WITH id, v ORDER BY v.version_to DESC
WITH id, collect(v)[0] AS v
RETURN id, v.props AS text, v.version_to AS retired_at, v.closed_by_source AS retired_by
