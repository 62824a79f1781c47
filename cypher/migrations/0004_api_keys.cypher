// Migration 4: API keys of the GraphQL API (graphtwin apikey create). Only a hash of each
// secret is stored; the key id is unique.
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.key_id IS UNIQUE;
