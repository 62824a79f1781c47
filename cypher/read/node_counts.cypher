// Twin nodes per kind.
MATCH (n:Twin)
RETURN n.kind AS kind, count(*) AS count
ORDER BY kind
