// How many nodes carry the label $label (a parameter: labels cannot be, so it is compared).
MATCH (n)
WHERE $label IN labels(n)
RETURN count(n) AS count
