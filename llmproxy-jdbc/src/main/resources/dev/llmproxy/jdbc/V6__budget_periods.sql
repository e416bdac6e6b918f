-- llmproxy schema, version 6: budget periods and team caps. An account's counts are of the period
-- that began at period_start (0: caps that never reset); a hold lists every account it holds
-- (the principal's own first, then its teams), each with the period it was held in, one
-- "period_start account_id" per line.
ALTER TABLE llmproxy_accounts ADD COLUMN IF NOT EXISTS period_start BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS accounts VARCHAR(4000);
-- An issued token's budget period ("daily", "weekly", "monthly" or an ISO-8601 duration; NULL for
-- caps that never reset) and the team it belongs to.
ALTER TABLE llmproxy_tokens ADD COLUMN IF NOT EXISTS budget_period VARCHAR(64);
ALTER TABLE llmproxy_tokens ADD COLUMN IF NOT EXISTS team VARCHAR(200);
