// Pairs a person said are not the same thing; linking never proposes them again.
MATCH (r:LinkRejection)
RETURN r.a AS a, r.b AS b, r.reason AS reason, r.rejected_by AS rejected_by,
       r.rejected_at AS rejected_at
ORDER BY a, b
