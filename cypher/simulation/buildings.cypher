// Every live building of the twin (graphtwin calibrate without --root calibrates them all).
MATCH (b:Building)
WHERE NOT b:Retired
RETURN b.twin_id AS twin_id
ORDER BY twin_id
