// Every stored property of each node of $ids (the API's `properties` and `property` fields).
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
RETURN id, properties(n) AS props
