// Which of the points $twin_ids each rule selector of a bindings file finds. Each row of
// $selectors is {index, classes, within}: `classes` are the Brick classes that match (the
// caller adds the subclasses and aliases; null: any class), `within` the twin_id of a subtree
// root (null: anywhere), the subtree as governance selectors see it: everything below the root
// along CONTAINS / HAS_PART / HAS_POINT, what is LOCATED_IN any of those, and its parts and points.
UNWIND $selectors AS sel
UNWIND $twin_ids AS id
MATCH (p:Twin {twin_id: id})
WHERE p:Point AND NOT p:Retired
  AND (sel.classes IS NULL OR p.brick_class IN sel.classes)
  AND (sel.within IS NULL OR EXISTS {
    MATCH (root:Twin {twin_id: sel.within})
    WHERE EXISTS { (root)-[:CONTAINS|HAS_PART|HAS_POINT*0..]->(p) }
       OR EXISTS {
         (root)-[:CONTAINS|HAS_PART*0..]->(:Twin)<-[:LOCATED_IN]-(:Twin)-[:HAS_PART|HAS_POINT*0..]->(p)
       }
  })
RETURN sel.index AS selector, p.twin_id AS twin_id
