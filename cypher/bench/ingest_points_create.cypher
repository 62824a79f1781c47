// Ingest benchmark set-up: bare points to write values onto (untimed).
UNWIND $ids AS id
CREATE (:Twin:Point {twin_id: id, kind: 'Point', name: id})
RETURN count(*) AS created
