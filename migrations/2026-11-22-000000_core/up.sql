-- Platform tables shared by every app.

-- One row per run of the purge job: what it removed, by kind (shown in /admin).
CREATE TABLE purge_runs (
    id BIGSERIAL PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    removed JSONB NOT NULL DEFAULT '{}'::jsonb
);
