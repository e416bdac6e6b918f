-- llmproxy schema, version 5: the endpoints an issued token may call (newline-separated scopes);
-- tokens issued before scopes existed may call every endpoint.
ALTER TABLE llmproxy_tokens ADD COLUMN IF NOT EXISTS scopes VARCHAR(256) DEFAULT '*' NOT NULL;
