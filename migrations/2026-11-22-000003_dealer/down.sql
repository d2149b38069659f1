DROP TABLE dealer_autos;
DROP TABLE dealer_users;
