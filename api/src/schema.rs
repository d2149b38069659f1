// @generated automatically by Diesel CLI.

diesel::table! {
    dealer_autos (id) {
        id -> Int8,
        mark -> Text,
        max_speed -> Int4,
        distance -> Int4,
        handler -> Text,
        stock -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    dealer_users (id) {
        id -> Int8,
        username -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    exchange_items (id) {
        id -> Int8,
        owner_id -> Int8,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    exchange_transfers (id) {
        id -> Int8,
        item_id -> Nullable<Int8>,
        sender_id -> Int8,
        recipient_id -> Int8,
        code_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        superseded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    exchange_users (id) {
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

diesel::joinable!(exchange_items -> exchange_users (owner_id));
diesel::joinable!(exchange_transfers -> exchange_items (item_id));
diesel::joinable!(todo_tasks -> todo_users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    dealer_autos,
    dealer_users,
    exchange_items,
    exchange_transfers,
    exchange_users,
    purge_runs,
    todo_tasks,
    todo_users,
);
