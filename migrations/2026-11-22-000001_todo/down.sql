DROP TABLE todo_tasks;
DROP TABLE todo_users;
