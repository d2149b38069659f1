//! What the run needs before the faults, made through the API: the load's
//! users, a product and a funded bill, and the credentials that must stay
//! refused (a logged-out token of every app, a revoked /ar app token, a
//! disabled /shop user). Each of those is first shown to work on every
//! replica, so that a refusal later means the revocation, not a wrong probe.

use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::client::{Answer, Http, Request};

pub const PASSWORD: &str = "chaos-password-0123";
pub const ADMIN: (&str, &str) = ("chaos-admin", "chaos-admin-password");
pub const PAYMENT_KEY: &str = "chaos-payment-key";
/// The load's users of /todo (tasks spread over them).
const TODO_USERS: usize = 4;
/// The bill the load credits and buys from, and the disabled user's bill.
pub const LOAD_BILL: i64 = 1;
const DISABLED_BILL: i64 = 2;

/// A credential that must be refused on every replica for the whole run.
#[derive(Clone, Debug)]
pub struct Probe {
    pub name: &'static str,
    pub request: Request,
}

pub struct Seeded {
    pub todo_tokens: Vec<String>,
    pub shop_token: String,
    pub shop_user: i64,
    pub product: i64,
    pub probes: Vec<Probe>,
}

/// The webhook body for a credit, signed with [`PAYMENT_KEY`].
pub fn credit(transaction_id: i64, user_id: i64, bill_id: i64, amount: &str) -> Value {
    let message = format!("{PAYMENT_KEY}:{transaction_id}:{user_id}:{bill_id}:{amount}");
    let signature = hex::encode(Sha1::digest(message.as_bytes()));
    json!({"transaction_id": transaction_id, "user_id": user_id, "bill_id": bill_id,
           "amount": amount, "signature": signature})
}

/// Transaction ids below this are the setup's; the load's start here.
pub const FIRST_LOAD_TRANSACTION: i64 = 1_000;

struct Api<'a> {
    http: &'a Http,
    ports: &'a [u16],
}

impl Api<'_> {
    /// Sends to the first replica; the answer must have `status`.
    async fn expect(&self, status: u16, request: Request) -> anyhow::Result<Value> {
        self.expect_on(self.ports[0], status, &request).await
    }

    async fn expect_on(&self, port: u16, status: u16, request: &Request) -> anyhow::Result<Value> {
        let call = self.http.call(port, request).await;
        match call.answer {
            Answer::Reply(reply) if reply.status == status => Ok(reply.body),
            other => anyhow::bail!(
                "setup: {} {} on port {port} expected {status}, got {other:?}",
                request.method,
                request.path
            ),
        }
    }

    /// The request answers 200 on every replica (a probe's positive control).
    async fn works_everywhere(&self, request: &Request) -> anyhow::Result<()> {
        for &port in self.ports {
            self.expect_on(port, 200, request).await?;
        }
        Ok(())
    }

    /// Logs in at `path`; the token from the answer's `field`.
    async fn login(&self, path: &str, creds: &Value, field: &str) -> anyhow::Result<String> {
        token(&self.expect(200, Request::post("setup", path, None, creds.clone())).await?, field)
    }

    async fn todo_user(&self, name: &str) -> anyhow::Result<String> {
        let creds = json!({"username": name, "password": PASSWORD});
        self.expect(201, Request::post("setup", "/todo/register", None, creds.clone())).await?;
        self.login("/todo/login", &creds, "access_token").await
    }

    /// A registered, activated /shop user: (token, id).
    async fn shop_user(&self, login: &str, admin: &str) -> anyhow::Result<(String, i64)> {
        let creds = json!({"login": login, "password": PASSWORD});
        let body = self.expect(201, Request::post("setup", "/shop/register", None, creds.clone())).await?;
        let link = body["activation_link"].as_str().context("no activation_link")?;
        let path = link.find("/shop/").map(|i| &link[i..]).context("activation link without /shop/")?;
        self.expect(200, Request::get("setup", path, None)).await?;
        let shop_token = self.login("/shop/login", &creds, "access_token").await?;
        let users =
            self.expect(200, Request::get("setup", "/shop/admin/users?limit=1000", Some(admin))).await?;
        let id = users
            .as_array()
            .and_then(|all| all.iter().find(|u| u["login"] == login))
            .and_then(|u| u["id"].as_i64())
            .context("the new /shop user is not in the admin's list")?;
        Ok((shop_token, id))
    }
}

fn token(body: &Value, field: &str) -> anyhow::Result<String> {
    body[field].as_str().map(str::to_owned).with_context(|| format!("no {field} in {body}"))
}

pub async fn seed(http: &Http, ports: &[u16]) -> anyhow::Result<Seeded> {
    let api = Api { http, ports };
    let mut todo_tokens = Vec::new();
    for n in 0..TODO_USERS {
        todo_tokens.push(api.todo_user(&format!("chaos-load-{n}")).await?);
    }
    let admin =
        api.login("/shop/login", &json!({"login": ADMIN.0, "password": ADMIN.1}), "access_token").await?;
    let product = json!({"title": "chaos item", "price": 1});
    let product =
        api.expect(201, Request::post("setup", "/shop/admin/products", Some(&admin), product)).await?;
    let product = product["id"].as_i64().context("product without id")?;
    let (shop_token, shop_user) = api.shop_user("chaos-buyer", &admin).await?;
    api.expect(
        200,
        Request::post("setup", "/shop/payment/webhook", None, credit(1, shop_user, LOAD_BILL, "1000000")),
    )
    .await?;
    let mut probes = logged_out_tokens(&api, &admin).await?;
    probes.push(revoked_app_token(&api).await?);
    probes.extend(disabled_user(&api, &admin, product).await?);
    Ok(Seeded { todo_tokens, shop_token, shop_user, product, probes })
}

/// Every app's logout: the token works everywhere, then is logged out.
async fn logged_out_tokens(api: &Api<'_>, admin: &str) -> anyhow::Result<Vec<Probe>> {
    let login = "chaos-logged-out";
    let creds = json!({"login": login, "password": PASSWORD});
    let user_creds = json!({"username": login, "password": PASSWORD});
    let todo = api.todo_user(login).await?;
    api.expect(201, Request::post("setup", "/exchange/registration", None, creds.clone())).await?;
    let exchange = api.login("/exchange/login", &creds, "token").await?;
    api.expect(201, Request::post("setup", "/dealer/register", None, user_creds.clone())).await?;
    let dealer = api.login("/dealer/auth", &user_creds, "access_token").await?;
    // An empty stock answers 400 (the spec's own choice): one auto makes the read a 200.
    let auto = json!({"max_speed": 200, "distance": 500, "handler": "Chaos Motors", "stock": "Lab"});
    api.expect(201, Request::post("setup", "/dealer/auto/chaos", Some(&dealer), auto)).await?;
    api.expect(201, Request::post("setup", "/ar/api/user", None, creds.clone())).await?;
    let ar = api.login("/ar/api/login/", &creds, "access_token").await?;
    let (shop, _) = api.shop_user(login, admin).await?;
    let cases = [
        ("todo logout", "GET /todo/tasks", "/todo/tasks", todo, "/todo/logout", 204),
        ("exchange logout", "GET /exchange/items", "/exchange/items", exchange, "/exchange/logout", 200),
        ("dealer logout", "GET /dealer/stock", "/dealer/stock", dealer, "/dealer/logout", 200),
        ("shop logout", "GET /shop/bills", "/shop/bills", shop, "/shop/logout", 204),
        ("ar logout", "GET /ar/api/project", "/ar/api/project", ar, "/ar/logout", 204),
    ];
    let mut probes = Vec::new();
    for (name, label, path, token, logout, status) in cases {
        let request = Request::get(label, path, Some(&token));
        api.works_everywhere(&request).await?;
        let logout = Request::post("setup", logout, Some(&token), json!({}));
        api.expect(status, logout).await?;
        probes.push(Probe { name, request });
    }
    Ok(probes)
}

/// An /ar app token deleted by its owner.
async fn revoked_app_token(api: &Api<'_>) -> anyhow::Result<Probe> {
    let creds = json!({"login": "chaos-ar-owner", "password": PASSWORD});
    api.expect(201, Request::post("setup", "/ar/api/user", None, creds.clone())).await?;
    let owner = api.login("/ar/api/login/", &creds, "access_token").await?;
    let project = api
        .expect(201, Request::post("setup", "/ar/api/project", Some(&owner), json!({"name": "chaos"})))
        .await?;
    let project = project["id"].as_i64().context("project without id")?;
    let issued = api
        .expect(
            201,
            Request::post("setup", format!("/ar/api/project/{project}/jwt"), Some(&owner), json!({})),
        )
        .await?;
    let (id, app) = (issued["id"].as_i64().context("token without id")?, token(&issued, "token")?);
    let request =
        Request::get("GET /ar/…/imagetarget", format!("/ar/api/project/{project}/imagetarget"), Some(&app));
    api.works_everywhere(&request).await?;
    let delete = Request::get("setup", format!("/ar/api/project/{project}/jwt/{id}"), Some(&owner))
        .with_method(Method::DELETE);
    api.expect(204, delete).await?;
    Ok(Probe { name: "ar app token deleted", request })
}

/// A /shop user with money on a bill, disabled by the admin: neither reading
/// nor buying may pass.
async fn disabled_user(api: &Api<'_>, admin: &str, product: i64) -> anyhow::Result<Vec<Probe>> {
    let (user, id) = api.shop_user("chaos-disabled", admin).await?;
    api.expect(
        200,
        Request::post("setup", "/shop/payment/webhook", None, credit(2, id, DISABLED_BILL, "100")),
    )
    .await?;
    let read = Request::get("GET /shop/bills", "/shop/bills", Some(&user));
    api.works_everywhere(&read).await?;
    let patch =
        Request::post("setup", format!("/shop/admin/users/{id}"), Some(admin), json!({"is_active": false}))
            .with_method(Method::PATCH);
    api.expect(200, patch).await?;
    let buy = Request::post(
        "POST /shop/…/buy",
        format!("/shop/products/{product}/buy"),
        Some(&user),
        json!({"bill_id": DISABLED_BILL}),
    );
    Ok(vec![
        Probe { name: "shop disabled user reads", request: read },
        Probe { name: "shop disabled user buys", request: buy },
    ])
}
