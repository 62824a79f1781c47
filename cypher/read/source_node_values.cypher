// How many nodes a source defines, per value of one property (e.g. ifc_class, kind).
MATCH (:Source {source_id: $source_id})<-[a:ASSERTED_IN]-(n:Twin)
WHERE size(a.keys) > 0
RETURN n[$property] AS value, count(*) AS count
ORDER BY value
