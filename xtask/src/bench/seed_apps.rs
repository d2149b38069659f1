//! Seeding of /exchange, /shop, /dealer and /ar through their APIs, with
//! fewer users than /todo (whose 100,000 tasks are the largest table): the
//! lists read one page of `limit=50`, so what matters is rows per user.

use std::{collections::HashMap, sync::Arc};

use anyhow::Context;
use serde_json::json;

use super::seed::{Api, PASSWORD, each, path_of, user_id_of};

/// A seeded user of an app: login and token.
#[derive(Clone)]
pub struct AppUser {
    pub login: String,
    pub token: String,
}

/// Registers `users` users of an app and logs each in (16 at a time: the
/// server hashes two passwords at once anyway).
async fn users<R, L, RF, LF>(
    users: usize,
    prefix: &str,
    register: R,
    login: L,
) -> anyhow::Result<Vec<AppUser>>
where
    R: Fn(String) -> RF,
    RF: Future<Output = anyhow::Result<()>>,
    L: Fn(String) -> LF,
    LF: Future<Output = anyhow::Result<String>>,
{
    let logins: Vec<String> = (0..users).map(|i| format!("{prefix}-{i}")).collect();
    each(logins, 16, |login_name| {
        let (register, login) = (&register, &login);
        async move {
            register(login_name.clone()).await?;
            let token = login(login_name.clone()).await?;
            Ok(AppUser { login: login_name, token })
        }
    })
    .await
}

/// /exchange: users with `per_user` items each.
pub async fn exchange(api: &Api, n: usize, per_user: usize) -> anyhow::Result<Vec<AppUser>> {
    let seeded = users(
        n,
        "exchange-user",
        |login| async move {
            api.post("/exchange/registration", None, json!({"login": login, "password": PASSWORD}), 201)
                .await?;
            Ok(())
        },
        |login| async move {
            let out =
                api.post("/exchange/login", None, json!({"login": login, "password": PASSWORD}), 200).await?;
            Ok(out["token"].as_str().context("token")?.to_owned())
        },
    )
    .await?;
    each(seeded.clone(), 64, |user| async move {
        for k in 0..per_user {
            let name = format!("Item {k} of {}", user.login);
            api.post("/exchange/items/new", Some(&user.token), json!({"name": name}), 201).await?;
        }
        Ok(())
    })
    .await?;
    Ok(seeded)
}

/// A /shop user with their bills (each funded by a webhook).
pub struct ShopUser {
    pub token: String,
    pub user_id: i64,
    pub bill_ids: Vec<i64>,
}

/// The seeded /shop: users, their bills, products, and every bill's expected
/// balance in cents (the scenarios move it as they credit and buy).
pub struct Shop {
    pub users: Vec<ShopUser>,
    /// (product id, price in cents).
    pub products: Vec<(i64, i64)>,
    pub expected: Arc<HashMap<i64, std::sync::atomic::AtomicI64>>,
    /// The next unused webhook `transaction_id`.
    pub next_transaction: i64,
}

/// Every seeded bill starts with this balance (cents).
pub const BILL_FUNDS: i64 = 100_000;

/// /shop: `n` activated users with `bills` bills each (created and funded by
/// signed webhooks), and `products` products made by the admin.
pub async fn shop(api: &Api, n: usize, bills: usize, products: usize) -> anyhow::Result<Shop> {
    let admin = login_shop(api, super::server::ADMIN.0, super::server::ADMIN.1).await?;
    let prices: Vec<i64> = (0..products as i64).map(|k| 100 + (k * 37) % 4900).collect();
    let made = each(prices, 16, |cents| {
        let admin = admin.clone();
        async move {
            let body = json!({"title": format!("Product {cents}"), "description": "Seeded by the benchmark.",
                "price": format!("{}.{:02}", cents / 100, cents % 100)});
            let out = api.post("/shop/admin/products", Some(&admin), body, 201).await?;
            Ok((out["id"].as_i64().context("product id")?, cents))
        }
    })
    .await?;
    let seeded = users(
        n,
        "shop-user",
        |login| async move {
            let out =
                api.post("/shop/register", None, json!({"login": login, "password": PASSWORD}), 201).await?;
            let link = out["activation_link"].as_str().context("activation_link")?;
            api.expect(reqwest::Method::GET, path_of(link), None, None, 200).await?;
            Ok(())
        },
        |login| async move { login_shop(api, &login, PASSWORD).await },
    )
    .await?;
    let with_ids: Vec<(usize, AppUser)> = seeded.into_iter().enumerate().collect();
    let users = each(with_ids, 32, |(u, user)| async move {
        let user_id = user_id_of(&user.token)?;
        let mut bill_ids = Vec::with_capacity(bills);
        for b in 0..bills {
            // Bill ids are chosen by the payment service: made distinct per user.
            let bill_id = 1_000 + (u * bills + b) as i64;
            let transaction_id = bill_id;
            let body = webhook(transaction_id, user_id, bill_id, BILL_FUNDS);
            api.post("/shop/payment/webhook", None, body, 200).await?;
            bill_ids.push(bill_id);
        }
        Ok(ShopUser { token: user.token, user_id, bill_ids })
    })
    .await?;
    let expected = users
        .iter()
        .flat_map(|u| u.bill_ids.iter().map(|&b| (b, std::sync::atomic::AtomicI64::new(BILL_FUNDS))))
        .collect();
    let next_transaction = 1_000 + (n * bills) as i64 + 1;
    Ok(Shop { users, products: made, expected: Arc::new(expected), next_transaction })
}

async fn login_shop(api: &Api, login: &str, password: &str) -> anyhow::Result<String> {
    let out = api.post("/shop/login", None, json!({"login": login, "password": password}), 200).await?;
    Ok(out["access_token"].as_str().context("access_token")?.to_owned())
}

/// A signed webhook body crediting `cents`.
pub fn webhook(transaction_id: i64, user_id: i64, bill_id: i64, cents: i64) -> serde_json::Value {
    let amount = format!("{}.{:02}", cents / 100, cents % 100);
    let signature = super::money::sign(transaction_id, user_id, bill_id, &amount);
    json!({"signature": signature, "transaction_id": transaction_id, "user_id": user_id,
        "bill_id": bill_id, "amount": amount})
}

/// /dealer: `n` dealers sharing one stock of `autos` autos.
pub async fn dealer(api: &Api, n: usize, autos: usize) -> anyhow::Result<Vec<AppUser>> {
    let seeded = users(
        n,
        "dealer-user",
        |login| async move {
            api.post("/dealer/register", None, json!({"username": login, "password": PASSWORD}), 201).await?;
            Ok(())
        },
        |login| async move {
            let out =
                api.post("/dealer/auth", None, json!({"username": login, "password": PASSWORD}), 200).await?;
            Ok(out["access_token"].as_str().context("access_token")?.to_owned())
        },
    )
    .await?;
    let token = seeded.first().context("no dealer")?.token.clone();
    each((0..autos).collect(), 32, |k| {
        let token = token.clone();
        async move {
            let body = json!({"max_speed": 120 + k % 200, "distance": k * 10, "handler": format!("Handler {}", k % 17),
                "stock": "Germany"});
            api.post(&format!("/dealer/auto/model-{k}"), Some(&token), body, 201).await?;
            Ok(())
        }
    })
    .await?;
    Ok(seeded)
}

/// /ar: `n` users with `per_user` projects each.
pub async fn ar(api: &Api, n: usize, per_user: usize) -> anyhow::Result<Vec<AppUser>> {
    let seeded = users(
        n,
        "ar-user",
        |login| async move {
            api.post("/ar/api/user", None, json!({"login": login, "password": PASSWORD}), 201).await?;
            Ok(())
        },
        |login| async move {
            let out =
                api.post("/ar/api/login/", None, json!({"login": login, "password": PASSWORD}), 200).await?;
            Ok(out["access_token"].as_str().context("access_token")?.to_owned())
        },
    )
    .await?;
    each(seeded.clone(), 64, |user| async move {
        for k in 0..per_user {
            let name = format!("Project {k} of {}", user.login);
            api.post("/ar/api/project", Some(&user.token), json!({"name": name}), 201).await?;
        }
        Ok(())
    })
    .await?;
    Ok(seeded)
}
