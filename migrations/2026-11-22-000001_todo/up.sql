-- /todo: users and their tasks.

CREATE TABLE todo_users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT todo_users_username_key UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE todo_tasks (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES todo_users (id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description TEXT CHECK (char_length(description) <= 10000),
    completed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every task query is "this user's tasks, by id".
CREATE INDEX todo_tasks_user_id_id_idx ON todo_tasks (user_id, id);
