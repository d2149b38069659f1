-- /ar: users, their projects, per-project app tokens and image targets.
-- Projects and targets are soft-deleted (`deleted_at`); the purge job removes
-- them for good after SOFT_DELETE_RETENTION_DAYS.

CREATE TABLE ar_users (
    id BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL CONSTRAINT ar_users_login_key UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ar_projects (
    id BIGSERIAL PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES ar_users (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ
);

-- A name is unique among projects not deleted: a deleted project's name can be taken again.
CREATE UNIQUE INDEX ar_projects_name_key ON ar_projects (name) WHERE deleted_at IS NULL;
CREATE INDEX ar_projects_owner_id_id_idx ON ar_projects (owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX ar_projects_deleted_at_idx ON ar_projects (deleted_at) WHERE deleted_at IS NOT NULL;

-- App tokens are JWTs; a row per token holds its current `jti` so that every
-- request can check it still stands (not revoked, not expired, project alive).
CREATE TABLE ar_app_tokens (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES ar_projects (id) ON DELETE CASCADE,
    jti TEXT NOT NULL CONSTRAINT ar_app_tokens_jti_key UNIQUE,
    issued_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    CHECK (expires_at > issued_at)
);

CREATE INDEX ar_app_tokens_project_id_id_idx ON ar_app_tokens (project_id, id);
CREATE INDEX ar_app_tokens_expires_at_idx ON ar_app_tokens (expires_at);

CREATE TABLE ar_image_targets (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES ar_projects (id) ON DELETE CASCADE,
    description TEXT NOT NULL CHECK (char_length(description) <= 10000),
    image BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at TIMESTAMPTZ
);

CREATE INDEX ar_image_targets_project_id_id_idx ON ar_image_targets (project_id, id) WHERE deleted_at IS NULL;
CREATE INDEX ar_image_targets_deleted_at_idx ON ar_image_targets (deleted_at) WHERE deleted_at IS NOT NULL;
