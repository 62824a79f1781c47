"""The Cypher catalogue: every statement graphtwin runs, one named `.cypher` file each.

Loaded by name through `graphtwin.statements.cypher("area/name")`. Values are always passed as
`$parameters`; labels and relationship types come only from the vocabulary whitelist.
"""
