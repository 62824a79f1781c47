// How many retired entities the twin's history holds.
MATCH (n:Retired)
RETURN count(n) AS retired
