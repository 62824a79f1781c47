// The twin entities $ids as a forecast needs them: whether each is a live point, and the Brick
// class, unit and name its kind is read from. An id the twin does not hold is missing.
UNWIND $ids AS id
MATCH (n:Twin {twin_id: id})
RETURN n.twin_id AS twin_id, n:Point AND NOT n:Retired AS is_point, n.kind AS kind,
       n.brick_class AS brick_class, n.unit AS unit, n.name AS name
