"""Reasoning over the twin: constraints that propagate through the hierarchy, with the chain of
relationships that explains why each one applies ("because"), capacity checks and violations.

The rules are pure code (`constraints`, `units`); `constraint_reader` reads what they need from
Neo4j in a constant number of batched statements.
"""
