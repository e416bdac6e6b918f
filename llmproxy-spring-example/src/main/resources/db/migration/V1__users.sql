-- The application's own users: each with a plan and the SHA-256 of its API token (never the token).
CREATE TABLE users (
  id           VARCHAR(64)  PRIMARY KEY,
  name         VARCHAR(256) NOT NULL UNIQUE,
  plan         VARCHAR(64)  NOT NULL,
  token_sha256 CHAR(64)     NOT NULL UNIQUE,
  created_at   TIMESTAMP    NOT NULL
);

-- Users' own upstream keys: Tink AEAD ciphertext bound to (user, provider), never the plaintext.
CREATE TABLE user_upstream_keys (
  user_id       VARCHAR(64)    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider      VARCHAR(64)    NOT NULL,
  ciphertext    VARBINARY(4096) NOT NULL,
  configured_at TIMESTAMP      NOT NULL,
  PRIMARY KEY (user_id, provider)
);
