// Migration 12: accepted actions of what-if runs (the API's acceptAction). One decision per
// action of a run: its id is made of the two, so a second acceptance is refused.
CREATE CONSTRAINT decision_id_unique IF NOT EXISTS
FOR (d:Decision) REQUIRE d.decision_id IS UNIQUE;

CREATE INDEX decision_at IF NOT EXISTS
FOR (d:Decision) ON (d.at);
