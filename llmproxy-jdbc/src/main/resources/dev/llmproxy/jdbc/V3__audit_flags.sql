-- llmproxy schema, version 3: whether an exchange's cost is an estimate, and whether it exceeded
-- what was reserved for it (its spend is booked whole either way).
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS cost_estimated BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE llmproxy_audit ADD COLUMN IF NOT EXISTS overshoot BOOLEAN DEFAULT FALSE NOT NULL;
