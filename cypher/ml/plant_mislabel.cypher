// The demo's planted mislabel: one point declared a class it is not, as a retrofit that re-typed
// the wrong point leaves it. Only `graphtwin demo` runs this, and says so. The point's previous
// version was closed first (TwinStore.write_versioned): a new one begins now, made by $source.
MATCH (p:Twin {twin_id: $twin_id})
SET p.brick_class = $brick_class,
    p.version_from = $now, p.version_source = $source, p.version_run = $run
RETURN p.twin_id AS twin_id
