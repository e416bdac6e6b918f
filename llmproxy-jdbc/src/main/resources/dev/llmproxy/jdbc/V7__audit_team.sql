-- llmproxy schema, version 7: the team of the exchange's principal and whether its hold was
-- reclaimed, for usage by team; an index for usage since a time.
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS team VARCHAR(200);
CREATE INDEX IF NOT EXISTS llmproxy_audit_ts ON llmproxy_audit (ts);
