// How many closed versions the twin's history holds (storage of the history).
CALL () { MATCH (v:NodeVersion) RETURN count(v) AS node_versions }
CALL () { MATCH (v:EdgeVersion) RETURN count(v) AS edge_versions }
CALL () { MATCH (v:SourceVersion) RETURN count(v) AS source_versions }
RETURN node_versions, edge_versions, source_versions
