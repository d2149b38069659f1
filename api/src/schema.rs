// @generated automatically by Diesel CLI.

diesel::table! {
    ar_app_tokens (id) {
        id -> Int8,
        project_id -> Int8,
        jti -> Text,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    ar_image_targets (id) {
        id -> Int8,
        project_id -> Int8,
        description -> Text,
        image -> Bytea,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    ar_projects (id) {
        id -> Int8,
        owner_id -> Int8,
        name -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    ar_users (id) {
        id -> Int8,
        login -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    purge_runs (id) {
        id -> Int8,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        removed -> Jsonb,
    }
}

diesel::table! {
    todo_tasks (id) {
        id -> Int8,
        user_id -> Int8,
        title -> Text,
        description -> Nullable<Text>,
        completed -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    todo_users (id) {
        id -> Int8,
        username -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(ar_app_tokens -> ar_projects (project_id));
diesel::joinable!(ar_image_targets -> ar_projects (project_id));
diesel::joinable!(ar_projects -> ar_users (owner_id));
diesel::joinable!(todo_tasks -> todo_users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    ar_app_tokens,
    ar_image_targets,
    ar_projects,
    ar_users,
    purge_runs,
    todo_tasks,
    todo_users,
);
