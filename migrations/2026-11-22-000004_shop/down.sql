DROP TABLE shop_purchases;
DROP TABLE shop_transactions;
DROP TABLE shop_bills;
DROP TABLE shop_products;
DROP TABLE shop_activation_codes;
DROP TABLE shop_users;
