// Virtual building benchmark: how many of these points the graph holds at the value EnergyPlus
// served last, i.e. whether the chain (OPC UA -> sync -> Neo4j) has caught up with EnergyPlus.
UNWIND $rows AS row
MATCH (p:Twin {twin_id: row.twin_id})
WHERE p:Point
RETURN count(p) AS points, count(CASE WHEN p.value = row.value THEN 1 END) AS current
