// Twin nodes by twin_id (retired ones included: they carry the Retired label).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
RETURN id, n
