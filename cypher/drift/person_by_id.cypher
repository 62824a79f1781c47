// A live entity by its twin_id, with its kind: is it a Person a drift issue can be assigned to?
MATCH (p:Twin {twin_id: $twin_id})
RETURN p.twin_id AS twin_id, p.name AS name, p.kind AS kind, p:Person AND NOT p:Retired AS person
