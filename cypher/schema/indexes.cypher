// Indexes in the database with their population state, for `graphtwin db status`.
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state, owningConstraint
RETURN name, type, labelsOrTypes AS labels, properties, state, owningConstraint
ORDER BY name
