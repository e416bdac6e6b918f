-- llmproxy schema, version 1. Portable between PostgreSQL and H2 (PostgreSQL mode).
-- Instants are epoch milliseconds; money is nano-USD. No foreign keys: a user's rows can be
-- deleted from any table without touching the others.

CREATE TABLE IF NOT EXISTS llmproxy_tokens (
  id             VARCHAR(64)   PRIMARY KEY,
  token_sha256   CHAR(64)      NOT NULL UNIQUE,
  user_id        VARCHAR(256)  NOT NULL,
  kind           VARCHAR(16)   NOT NULL,
  tier           VARCHAR(64)   NOT NULL,
  created_at     BIGINT        NOT NULL,
  expires_at     BIGINT,
  max_requests   BIGINT,
  max_spend_nano BIGINT,
  models         VARCHAR(4096) NOT NULL,
  providers      VARCHAR(1024) NOT NULL,
  revoked        BOOLEAN       NOT NULL
);

CREATE TABLE IF NOT EXISTS llmproxy_user_keys (
  user_id       VARCHAR(256) NOT NULL,
  provider      VARCHAR(64)  NOT NULL,
  ciphertext    BYTEA        NOT NULL,
  configured_at BIGINT       NOT NULL,
  PRIMARY KEY (user_id, provider)
);

CREATE TABLE IF NOT EXISTS llmproxy_accounts (
  account_id    VARCHAR(320) PRIMARY KEY,
  used_requests BIGINT       NOT NULL,
  held_requests BIGINT       NOT NULL,
  spent_nano    BIGINT       NOT NULL,
  held_nano     BIGINT       NOT NULL
);

CREATE TABLE IF NOT EXISTS llmproxy_holds (
  id         VARCHAR(64)  PRIMARY KEY,
  account_id VARCHAR(320) NOT NULL,
  requests   BIGINT       NOT NULL,
  nano       BIGINT       NOT NULL,
  created_at BIGINT       NOT NULL
);

CREATE TABLE IF NOT EXISTS llmproxy_rate_windows (
  principal_id  VARCHAR(320) PRIMARY KEY,
  window_start  BIGINT       NOT NULL,
  request_count BIGINT       NOT NULL
);
