// Migration 3: nodes that select what they apply to (governance constraints, procedures),
// found at every import without scanning the twin.
CREATE INDEX twin_selects_as IF NOT EXISTS FOR (n:Twin) ON (n.selects_as);
