"""Identity across standards: which Brick, IFC, ISA-95 and twin-file entities are one thing.

`graphtwin link` reads the twin, matches entities of different sources (explicit identifiers
first, then evidence: names, place, structure, class) and writes `SAME_AS` edges with
`confidence` and `method` through the ordinary loader (source `graphtwin-link`), so links have
lineage, re-running changes nothing, and links that no longer hold are retracted. Pairs below
the auto threshold are review candidates; a rejected pair stays rejected.
"""
