// Migration 7: full-text search over the names and ids of retired entities too (the API's
// `search(includeRetired: true)`); twin_text covers only the live twin.
CREATE FULLTEXT INDEX retired_text IF NOT EXISTS FOR (n:Retired) ON EACH [n.name, n.twin_id];
