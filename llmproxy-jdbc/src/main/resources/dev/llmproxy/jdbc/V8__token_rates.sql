-- llmproxy schema, version 8: tokens-per-minute limits. An account counts the tokens held and
-- committed in its current one-minute window; a hold remembers the window and the tokens it held
-- so that its commit corrects them to what the upstream reported.
ALTER TABLE llmproxy_accounts ADD COLUMN IF NOT EXISTS tpm_window BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE llmproxy_accounts ADD COLUMN IF NOT EXISTS tpm_used BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS token_window BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE llmproxy_holds ADD COLUMN IF NOT EXISTS held_tokens BIGINT DEFAULT 0 NOT NULL;
-- An issued token's own tokens-per-minute limit.
ALTER TABLE llmproxy_tokens ADD COLUMN IF NOT EXISTS max_tokens_per_minute BIGINT;
