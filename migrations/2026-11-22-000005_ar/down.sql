DROP TABLE ar_image_targets;
DROP TABLE ar_app_tokens;
DROP TABLE ar_projects;
DROP TABLE ar_users;
