// Record that $a and $b (ordered) are not one thing. Rejecting twice keeps the first record.
MERGE (r:LinkRejection {a: $a, b: $b})
ON CREATE SET r.reason = $reason, r.rejected_by = $rejected_by, r.rejected_at = $now
RETURN r.rejected_at = $now AS new
