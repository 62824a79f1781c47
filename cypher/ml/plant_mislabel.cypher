// The demo's planted mislabel: one point declared a class it is not, as a retrofit that re-typed
// the wrong point leaves it. Only `graphtwin demo` runs this, and says so.
MATCH (p:Twin {twin_id: $twin_id})
SET p.brick_class = $brick_class
RETURN p.twin_id AS twin_id
