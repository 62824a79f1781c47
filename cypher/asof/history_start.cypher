// Where the twin's history begins: the earliest version_from of a live twin node or a closed
// node version (null for a twin that has none yet).
CALL () { MATCH (n:Twin) RETURN min(n.version_from) AS live }
CALL () { MATCH (v:NodeVersion) RETURN min(v.version_from) AS closed }
RETURN CASE WHEN live IS NULL OR (closed IS NOT NULL AND closed < live) THEN closed
            ELSE live END AS start
