-- The first answer to each write sent with an `Idempotency-Key`, committed in
-- the same transaction as the write it describes (see api/src/idempotency/).
CREATE TABLE idempotency_keys (
    -- SHA-256 of the app, the caller (user or client address) and the key.
    key_hash BYTEA PRIMARY KEY CHECK (octet_length(key_hash) = 32),
    -- SHA-256 of the method, matched route, path and body of the first request.
    fingerprint BYTEA NOT NULL CHECK (octet_length(fingerprint) = 32),
    status SMALLINT NOT NULL CHECK (status BETWEEN 100 AND 499),
    -- The answer's headers a client needs, as [[name, value], ...].
    headers JSONB NOT NULL,
    body BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);

-- The purge job deletes by expiry.
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
