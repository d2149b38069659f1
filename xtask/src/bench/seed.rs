//! Realistic data, made through the API like any client would.

use anyhow::{Context, bail};
use futures::{StreamExt, stream};
use serde_json::{Value, json};

/// A thin JSON client for seeding and checking.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(addr: std::net::SocketAddr) -> Self {
        Self { http: reqwest::Client::new(), base: format!("http://{addr}") }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let response = req.send().await.with_context(|| path.to_owned())?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// A call that must answer `expect`.
    pub async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        expect: u16,
    ) -> anyhow::Result<Value> {
        let (status, value) = self.call(method, path, token, body).await?;
        if status != expect {
            bail!("{path} answered {status} (expected {expect}): {value}");
        }
        Ok(value)
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
        expect: u16,
    ) -> anyhow::Result<Value> {
        self.expect(reqwest::Method::POST, path, token, Some(body), expect).await
    }

    /// The paths the server documents, to skip scenarios of apps not present.
    pub async fn documented_paths(&self) -> anyhow::Result<Vec<String>> {
        let spec = self.expect(reqwest::Method::GET, "/openapi.json", None, None, 200).await?;
        Ok(spec["paths"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default())
    }
}

/// Runs `f` over `items` with `concurrency` at once, failing on the first error.
pub async fn each<T, R, F, Fut>(items: Vec<T>, concurrency: usize, f: F) -> anyhow::Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<R>>,
{
    stream::iter(items.into_iter().map(f))
        .buffered(concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

pub const PASSWORD: &str = "bench password";

/// A seeded /todo user.
pub struct TodoUser {
    pub token: String,
    pub task_ids: Vec<i64>,
}

pub async fn todo(api: &Api, users: usize, tasks_per_user: usize) -> anyhow::Result<Vec<TodoUser>> {
    let names: Vec<String> = (0..users).map(|i| format!("todo-user-{i}")).collect();
    let tokens = each(names, 16, |name| async move {
        let creds = json!({"username": name, "password": PASSWORD});
        api.post("/todo/register", None, creds.clone(), 201).await?;
        let login = api.post("/todo/login", None, creds, 200).await?;
        Ok(login["access_token"].as_str().context("access_token")?.to_owned())
    })
    .await?;
    each(tokens, 64, |token| async move {
        let mut task_ids = Vec::with_capacity(tasks_per_user);
        for t in 0..tasks_per_user {
            let body = json!({"title": format!("Task {t}"), "description": "Seeded by the benchmark, about this long."});
            let task = api.post("/todo/tasks", Some(&token), body, 201).await?;
            task_ids.push(task["id"].as_i64().context("task id")?);
        }
        Ok(TodoUser { token, task_ids })
    })
    .await
}

/// The path and query of an absolute link the server handed out.
pub fn path_of(link: &str) -> &str {
    link.find("://")
        .and_then(|scheme| link[scheme + 3..].find('/').map(|p| &link[scheme + 3 + p..]))
        .unwrap_or(link)
}

/// The user id (`sub`) of a token, as the payment service would know it.
pub fn user_id_of(token: &str) -> anyhow::Result<i64> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).context("not a JWT")?;
    let claims: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload)?)?;
    claims["sub"].as_str().context("no sub")?.parse().context("sub is not an id")
}
