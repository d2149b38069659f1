-- /exchange: users, the items they own, and the confirmation links that hand
-- an item from one user to another.

CREATE TABLE exchange_users (
    id BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL CONSTRAINT exchange_users_login_key UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An item has exactly one owner at any time: a NOT NULL column, not a link table.
CREATE TABLE exchange_items (
    id BIGSERIAL PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES exchange_users (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every item query is "this user's items, by id".
CREATE INDEX exchange_items_owner_id_id_idx ON exchange_items (owner_id, id);

-- A link handed out by `POST /send`. Only the SHA-256 of its code is kept.
-- `item_id` becomes NULL when the item is deleted, so the link can say why it
-- no longer works; used, superseded and expired links are purged.
CREATE TABLE exchange_transfers (
    id BIGSERIAL PRIMARY KEY,
    item_id BIGINT REFERENCES exchange_items (id) ON DELETE SET NULL,
    sender_id BIGINT NOT NULL REFERENCES exchange_users (id) ON DELETE CASCADE,
    recipient_id BIGINT NOT NULL REFERENCES exchange_users (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL CONSTRAINT exchange_transfers_code_hash_key UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    superseded_at TIMESTAMPTZ,
    CONSTRAINT exchange_transfers_not_to_oneself CHECK (sender_id <> recipient_id),
    CONSTRAINT exchange_transfers_code_hash_len CHECK (octet_length(code_hash) = 32),
    CONSTRAINT exchange_transfers_used_or_superseded CHECK (used_at IS NULL OR superseded_at IS NULL)
);

-- At most one live link per item: a newer link supersedes the older ones.
CREATE UNIQUE INDEX exchange_transfers_one_live_per_item
    ON exchange_transfers (item_id) WHERE used_at IS NULL AND superseded_at IS NULL;

-- The purge job looks links up by expiry.
CREATE INDEX exchange_transfers_expires_at_idx ON exchange_transfers (expires_at);
