//! Rust smoke test of the packaged `api-client` against a live server: per app,
//! register, log in, one authenticated call and one documented error, as the
//! crate's README shows them. Usage: api-client-smoke BASE_URL

mod proxy;

use api_client::{Client, Error, retry::Retry, types};

type Outcome = Result<(), String>;

/// A client sending `Authorization: Bearer <token>` on every request.
fn with_token(base: &str, token: &str) -> Result<Client, String> {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {token}").parse().map_err(|e| format!("{e}"))?;
    headers.insert(reqwest::header::AUTHORIZATION, value);
    let http = reqwest::Client::builder().default_headers(headers).build().map_err(|e| e.to_string())?;
    Ok(Client::new_with_client(base, http))
}

/// The status of a documented error answer.
fn status_of<E: std::fmt::Debug>(result: Result<impl std::fmt::Debug, Error<E>>) -> Result<u16, String> {
    match result {
        Err(Error::ErrorResponse(answer)) => Ok(answer.status().as_u16()),
        other => Err(format!("expected a documented error, got {other:?}")),
    }
}

fn check(ok: bool, what: &str) -> Outcome {
    if ok { Ok(()) } else { Err(what.to_owned()) }
}

async fn todo(base: &str, suffix: &str) -> Outcome {
    let api = Client::new(base);
    let creds = || types::TodoCredentials::builder().username(format!("rs-{suffix}")).password("correct horse");
    api.todo_register().body(creds()).send().await.map_err(|e| format!("register: {e}"))?;
    let token = api.todo_login().body(creds()).send().await.map_err(|e| format!("login: {e}"))?.into_inner().access_token;
    let todo = with_token(base, &token)?;
    let task = todo.todo_create_task().body(types::TodoTaskIn::builder().title("from Rust")).send().await;
    let task = task.map_err(|e| format!("create: {e}"))?.into_inner();
    check(task.title.as_str() == "from Rust", "the task was not created")?;
    check(status_of(todo.todo_get_task().task_id(task.id + 1_000_000).send().await)? == 404, "a missing task is not 404")
}

async fn exchange(base: &str, suffix: &str) -> Outcome {
    let api = Client::new(base);
    let creds = || types::ExchangeCredentials::builder().login(format!("rs-ex-{suffix}")).password("correct horse");
    api.exchange_register().body(creds()).send().await.map_err(|e| format!("register: {e}"))?;
    let token = api.exchange_login().body(creds()).send().await.map_err(|e| format!("login: {e}"))?.into_inner().token;
    let exchange = with_token(base, &token)?;
    let item = exchange.exchange_create_item().body(types::ExchangeItemIn::builder().name("from Rust")).send().await;
    let item = item.map_err(|e| format!("create: {e}"))?.into_inner();
    let to_self = types::ExchangeSendIn::builder().item_id(item.id).recipient(format!("rs-ex-{suffix}"));
    check(status_of(exchange.exchange_send_item().body(to_self).send().await)? == 422, "sending to oneself is not 422")
}

async fn dealer(base: &str, suffix: &str) -> Outcome {
    let api = Client::new(base);
    let creds = || types::DealerCredentials::builder().username(format!("rs-dealer-{suffix}")).password("correct horse");
    api.dealer_register().body(creds()).send().await.map_err(|e| format!("register: {e}"))?;
    let token = api.dealer_auth().body(creds()).send().await.map_err(|e| format!("auth: {e}"))?.into_inner().access_token;
    let dealer = with_token(base, &token)?;
    let auto = types::DealerAutoIn::builder().max_speed(250).distance(500).handler("Auto Motors").stock("Austria");
    dealer.dealer_create_auto().mark(format!("rs-{suffix}")).body(auto).send().await.map_err(|e| format!("create: {e}"))?;
    let missing = dealer.dealer_get_auto().mark(format!("rs-missing-{suffix}")).send().await;
    check(status_of(missing)? == 404, "a missing auto is not 404")
}

async fn shop(base: &str, suffix: &str) -> Outcome {
    let api = Client::new(base);
    let creds = || types::ShopCredentials::builder().login(format!("rs-shop-{suffix}")).password("correct horse");
    let registered = api.shop_register().body(creds()).send().await.map_err(|e| format!("register: {e}"))?.into_inner();
    check(status_of(api.shop_login().body(creds()).send().await)? == 403, "an inactive user's login is not 403")?;
    let code = registered.activation_link.rsplit('/').next().unwrap_or_default().to_owned();
    api.shop_activate().code(code).send().await.map_err(|e| format!("activate: {e}"))?;
    let token = api.shop_login().body(creds()).send().await.map_err(|e| format!("login: {e}"))?.into_inner().access_token;
    let bills = with_token(base, &token)?.shop_list_bills().send().await.map_err(|e| format!("bills: {e}"))?;
    check(bills.into_inner().is_empty(), "a new user has bills")
}

async fn ar(base: &str, suffix: &str) -> Outcome {
    let api = Client::new(base);
    let creds = || types::ArCredentials::builder().login(format!("rs-ar-{suffix}")).password("correct horse");
    api.ar_create_user().body(creds()).send().await.map_err(|e| format!("sign-up: {e}"))?;
    let token = api.ar_login().body(creds()).send().await.map_err(|e| format!("login: {e}"))?.into_inner().access_token;
    let ar = with_token(base, &token)?;
    let name = format!("rs-{suffix}");
    ar.ar_create_project().body(types::ArProjectIn::builder().name(name.clone())).send().await.map_err(|e| format!("create: {e}"))?;
    let again = ar.ar_create_project().body(types::ArProjectIn::builder().name(name)).send().await;
    check(status_of(again)? == 409, "a taken project name is not 409")
}

/// The retry layer: through a proxy that answers the first task POST 503
/// after forwarding it, the write is retried with its key and replayed.
async fn retried_write(base: &str, suffix: &str) -> Outcome {
    let (via, keys) = proxy::start(base.to_owned()).await;
    let api = Client::new(&via);
    let creds = || types::TodoCredentials::builder().username(format!("rs-retry-{suffix}")).password("correct horse");
    api.todo_register().body(creds()).send().await.map_err(|e| format!("register: {e}"))?;
    let token = api.todo_login().body(creds()).send().await.map_err(|e| format!("login: {e}"))?.into_inner().access_token;
    let todo = with_token(&via, &token)?;
    let retry = Retry { base_delay: std::time::Duration::from_millis(10), ..Retry::default() };
    let answer = retry
        .write(|key| todo.todo_create_task().idempotency_key(key).body(types::TodoTaskIn::builder().title("retried")).send())
        .await
        .map_err(|e| format!("create: {e}"))?;
    let keys = keys.lock().map_err(|e| e.to_string())?.clone();
    check(keys.len() == 2 && keys[0] == keys[1] && !keys[0].is_empty(), &format!("expected one retry with the same key: {keys:?}"))?;
    check(answer.headers().get("idempotent-replayed").is_some_and(|v| v == "true"), "the retry was not a replay")?;
    let task = answer.into_inner();
    let tasks = with_token(base, &token)?.todo_list_tasks().send().await.map_err(|e| format!("list: {e}"))?.into_inner();
    check(tasks.len() == 1 && tasks[0].id == task.id, &format!("expected exactly one task, got {}", tasks.len()))
}

#[tokio::main]
async fn main() {
    let base = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let suffix = format!("{nanos:x}");
    let (mut passed, mut failed) = (0, 0);
    let checks = [
        ("todo", todo(&base, &suffix).await),
        ("exchange", exchange(&base, &suffix).await),
        ("dealer", dealer(&base, &suffix).await),
        ("shop", shop(&base, &suffix).await),
        ("ar", ar(&base, &suffix).await),
        ("retry (forced 503)", retried_write(&base, &suffix).await),
    ];
    for (app, outcome) in checks {
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("ok {app}");
            }
            Err(why) => {
                failed += 1;
                println!("FAILED {app}: {why}");
            }
        }
    }
    println!("rust-smoke: {passed} passed, {failed} failed");
    std::process::exit(if failed == 0 { 0 } else { 1 });
}
