// Migration 2: retired entities (no source defines them any more) stay as (:Retired) history,
// looked up by twin_id.
CREATE INDEX retired_twin_id IF NOT EXISTS FOR (n:Retired) ON (n.twin_id);
