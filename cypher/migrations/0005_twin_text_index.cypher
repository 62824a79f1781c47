// Migration 5: full-text search over twin names and ids (the API's `search`).
CREATE FULLTEXT INDEX twin_text IF NOT EXISTS FOR (n:Twin) ON EACH [n.name, n.twin_id];
