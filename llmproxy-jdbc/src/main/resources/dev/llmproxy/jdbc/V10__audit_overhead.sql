-- llmproxy schema, version 10: the proxy's own time in the exchange (x-llmproxy-overhead-ms), in
-- microseconds, and the pool alias the request named.
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS overhead_micros BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS model_alias VARCHAR(256);
