-- Revoked user tokens (every app's logout): the truth behind each replica's
-- in-memory mirror (`auth/revocations.rs`). A row is committed before the
-- logout answers and kept until the token expires; the purge job removes it then.
CREATE TABLE revoked_tokens (
    jti TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL,
    -- The revoking transaction: replicas catch up by reading only the rows of
    -- transactions that had not ended when they last read (see `mirror.rs`).
    revoked_xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    revoked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_revoked_xid_idx ON revoked_tokens (revoked_xid);
CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at);
