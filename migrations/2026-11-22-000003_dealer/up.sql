-- /dealer: its users, and the dealer's stock of autos (shared by every user).

CREATE TABLE dealer_users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT dealer_users_username_key UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- An auto is named by its mark, which is unique.
CREATE TABLE dealer_autos (
    id BIGSERIAL PRIMARY KEY,
    mark TEXT NOT NULL CONSTRAINT dealer_autos_mark_key UNIQUE
        CHECK (char_length(mark) BETWEEN 1 AND 200),
    max_speed INTEGER NOT NULL CHECK (max_speed >= 0),
    distance INTEGER NOT NULL CHECK (distance >= 0),
    handler TEXT NOT NULL CHECK (char_length(handler) BETWEEN 1 AND 200),
    stock TEXT NOT NULL CHECK (char_length(stock) BETWEEN 1 AND 200),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
