-- llmproxy schema, version 9: the upstream pool member that answered an exchange (its id, never
-- its credential) and how many upstream attempts the exchange made.
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS member VARCHAR(64);
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS tries INTEGER NOT NULL DEFAULT 0;
