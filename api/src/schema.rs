// @generated automatically by Diesel CLI.

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

diesel::joinable!(todo_tasks -> todo_users (user_id));

diesel::allow_tables_to_appear_in_same_query!(purge_runs, todo_tasks, todo_users,);
