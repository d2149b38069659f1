DROP TABLE exchange_transfers;
DROP TABLE exchange_items;
DROP TABLE exchange_users;
