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
    idempotency_keys (key_hash) {
        key_hash -> Bytea,
        fingerprint -> Bytea,
        status -> Int2,
        headers -> Jsonb,
        body -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
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
    revoked_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamptz,
        revoked_xid -> Int8,
        revoked_at -> Timestamptz,
    }
}

diesel::table! {
    shop_activation_codes (code_hash) {
        code_hash -> Text,
        user_id -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    shop_bills (id) {
        id -> Int8,
        user_id -> Int8,
        balance -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    shop_products (id) {
        id -> Int8,
        title -> Text,
        description -> Text,
        price -> Numeric,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shop_purchases (id) {
        id -> Int8,
        product_id -> Int8,
        bill_id -> Int8,
        user_id -> Int8,
        price -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    shop_transactions (id) {
        id -> Int8,
        transaction_id -> Int8,
        bill_id -> Int8,
        user_id -> Int8,
        amount -> Numeric,
        balance_after -> Numeric,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    shop_users (id) {
        id -> Int8,
        login -> Text,
        password_hash -> Text,
        is_active -> Bool,
        is_admin -> Bool,
        created_at -> Timestamptz,
        active_xid -> Int8,
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
diesel::joinable!(exchange_items -> exchange_users (owner_id));
diesel::joinable!(exchange_transfers -> exchange_items (item_id));
diesel::joinable!(shop_activation_codes -> shop_users (user_id));
diesel::joinable!(shop_bills -> shop_users (user_id));
diesel::joinable!(shop_purchases -> shop_bills (bill_id));
diesel::joinable!(shop_purchases -> shop_products (product_id));
diesel::joinable!(shop_purchases -> shop_users (user_id));
diesel::joinable!(shop_transactions -> shop_bills (bill_id));
diesel::joinable!(shop_transactions -> shop_users (user_id));
diesel::joinable!(todo_tasks -> todo_users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    ar_app_tokens,
    ar_image_targets,
    ar_projects,
    ar_users,
    dealer_autos,
    dealer_users,
    exchange_items,
    exchange_transfers,
    exchange_users,
    idempotency_keys,
    purge_runs,
    revoked_tokens,
    shop_activation_codes,
    shop_bills,
    shop_products,
    shop_purchases,
    shop_transactions,
    shop_users,
    todo_tasks,
    todo_users,
);
