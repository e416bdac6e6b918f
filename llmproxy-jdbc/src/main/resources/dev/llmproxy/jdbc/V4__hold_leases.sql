-- llmproxy schema, version 4: holds carry the instance that placed them and what they were for,
-- and instances renew a lease on their holds, so the holds of an instance that died are reclaimed
-- (booked at their estimate and recorded) instead of blocking a budget forever.
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS instance_name VARCHAR(200);
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS instance_id VARCHAR(64);
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS principal_id VARCHAR(256);
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS provider VARCHAR(64);
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS method VARCHAR(16);
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS path VARCHAR(512);
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS model VARCHAR(256);
CREATE INDEX IF NOT EXISTS llmproxy_holds_created ON llmproxy_holds (created_at);

CREATE TABLE IF NOT EXISTS llmproxy_instances (
  instance_id   VARCHAR(64)  PRIMARY KEY,
  instance_name VARCHAR(200) NOT NULL,
  expires_at    BIGINT       NOT NULL
);

ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS reclaimed BOOLEAN DEFAULT FALSE NOT NULL;
