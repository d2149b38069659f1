-- /shop: users (with activation codes), products, bills, credits and purchases.
-- Money is NUMERIC(14,2): exact, never a float; checks back every invariant.

CREATE TABLE shop_users (
    id BIGSERIAL PRIMARY KEY,
    login TEXT NOT NULL CONSTRAINT shop_users_login_key UNIQUE,
    password_hash TEXT NOT NULL,
    -- False until the activation link is followed, and while an admin disables the user.
    is_active BOOLEAN NOT NULL DEFAULT FALSE,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Pending activation links: only the SHA-256 of the code is kept; a row is
-- deleted when its link is followed (single use).
CREATE TABLE shop_activation_codes (
    code_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES shop_users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX shop_activation_codes_user_id_idx ON shop_activation_codes (user_id);

CREATE TABLE shop_products (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL DEFAULT '' CHECK (char_length(description) <= 10000),
    price NUMERIC(14, 2) NOT NULL CONSTRAINT shop_products_price_positive CHECK (price > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Soft delete: purchases keep pointing at the row.
    deleted_at TIMESTAMPTZ
);

-- Bill ids come from the payment webhook (no sequence): the first credit creates the bill.
CREATE TABLE shop_bills (
    id BIGINT PRIMARY KEY CHECK (id > 0),
    user_id BIGINT NOT NULL REFERENCES shop_users (id) ON DELETE CASCADE,
    balance NUMERIC(14, 2) NOT NULL DEFAULT 0
        CONSTRAINT shop_bills_balance_non_negative CHECK (balance >= 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX shop_bills_user_id_id_idx ON shop_bills (user_id, id);

-- Credits from the payment webhook; `transaction_id` is credited once.
CREATE TABLE shop_transactions (
    id BIGSERIAL PRIMARY KEY,
    transaction_id BIGINT NOT NULL CONSTRAINT shop_transactions_transaction_id_key UNIQUE,
    bill_id BIGINT NOT NULL REFERENCES shop_bills (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES shop_users (id) ON DELETE CASCADE,
    amount NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    -- The bill's balance right after this credit: what a repeated webhook answers.
    balance_after NUMERIC(14, 2) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX shop_transactions_bill_id_id_idx ON shop_transactions (bill_id, id);

CREATE TABLE shop_purchases (
    id BIGSERIAL PRIMARY KEY,
    product_id BIGINT NOT NULL REFERENCES shop_products (id),
    bill_id BIGINT NOT NULL REFERENCES shop_bills (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES shop_users (id) ON DELETE CASCADE,
    price NUMERIC(14, 2) NOT NULL CHECK (price > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX shop_purchases_bill_id_idx ON shop_purchases (bill_id);
