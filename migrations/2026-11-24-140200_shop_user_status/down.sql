DROP TRIGGER shop_users_active_xid ON shop_users;
DROP FUNCTION shop_users_stamp_active_xid();
DROP INDEX shop_users_inactive_idx;
ALTER TABLE shop_users DROP COLUMN active_xid;
