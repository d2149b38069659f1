-- /shop: which users are refused, for each replica's in-memory mirror
-- (`apps/shop/access.rs`). `is_active` stays the truth; `active_xid` names
-- the last transaction that wrote it (a trigger keeps it, so a change made by
-- hand in SQL reaches the replicas too), and replicas catch up by reading only
-- the rows of transactions that had not ended when they last read.
ALTER TABLE shop_users
    ADD COLUMN active_xid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX shop_users_active_xid_idx ON shop_users (active_xid);
-- The inactive users, read whole at start-up and on reconnection.
CREATE INDEX shop_users_inactive_idx ON shop_users (id) WHERE NOT is_active;

CREATE FUNCTION shop_users_stamp_active_xid() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.active_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END
$$;

CREATE TRIGGER shop_users_active_xid
    BEFORE UPDATE OF is_active ON shop_users
    FOR EACH ROW EXECUTE FUNCTION shop_users_stamp_active_xid();
