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

diesel::joinable!(shop_activation_codes -> shop_users (user_id));
diesel::joinable!(shop_bills -> shop_users (user_id));
diesel::joinable!(shop_purchases -> shop_bills (bill_id));
diesel::joinable!(shop_purchases -> shop_products (product_id));
diesel::joinable!(shop_purchases -> shop_users (user_id));
diesel::joinable!(shop_transactions -> shop_bills (bill_id));
diesel::joinable!(shop_transactions -> shop_users (user_id));
diesel::joinable!(todo_tasks -> todo_users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    purge_runs,
    shop_activation_codes,
    shop_bills,
    shop_products,
    shop_purchases,
    shop_transactions,
    shop_users,
    todo_tasks,
    todo_users,
);
