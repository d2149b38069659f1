//! /admin: the panel's session, CSRF and throttle rules, and that its
//! actions go through the apps' own rules, through the real server. The
//! browser-level tests are in `tests/browser` (run by `.ci/browser.sh`).
//! The pages of /exchange, /dealer and /ar are tested in `admin/apps.rs`.

mod apps;

use api_tests::{App, PASSWORD, TestApp};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use reqwest::{StatusCode, header, redirect::Policy};

const ADMIN: &str = "root";
const ADMIN_PASSWORD: &str = "root password 1";

async fn spawn() -> TestApp {
    TestApp::spawn_with(&[("ADMIN_LOGIN", ADMIN), ("ADMIN_PASSWORD", ADMIN_PASSWORD)]).await
}

/// A browser without redirects, keeping its own cookies (reqwest's cookie
/// store is not enabled in the workspace).
struct Browser<'a> {
    app: &'a TestApp,
    http: reqwest::Client,
    cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Self { app, http, cookies: vec![] }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn keep(&mut self, res: &reqwest::Response) {
        for set in res.headers().get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.into(), v.into()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> reqwest::Response {
        let res = self
            .http
            .get(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&res);
        res
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let res = self
            .http
            .post(self.app.url(path))
            .header(header::COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&res);
        res
    }

    /// The `_csrf` field of a page.
    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await.text().await.unwrap();
        let at =
            page.find(r#"name="_csrf" value=""#).expect("a CSRF field") + r#"name="_csrf" value=""#.len();
        page[at..at + 64].to_owned()
    }

    async fn sign_in(&mut self, login: &str, password: &str) -> reqwest::Response {
        let csrf = self.csrf("/admin/login").await;
        self.post("/admin/login", &[("_csrf", &csrf), ("login", login), ("password", password)]).await
    }
}

fn location(res: &reqwest::Response) -> &str {
    res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn product_count(app: &TestApp) -> i64 {
    app.query(|c| api::schema::shop_products::table.count().get_result::<i64>(c).unwrap()).await
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_the_session_everywhere() {
    let app = spawn().await;
    let mut browser = Browser::new(&app);
    let res = browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin");
    let set = res.headers().get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned());
    let session = set.into_iter().find(|c| c.starts_with("admin_session=")).expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age=28800"] {
        assert!(session.contains(part), "{session} has {part}");
    }
    assert!(!session.contains("Secure"), "no Secure flag over plain http");
    let id = browser.cookie("admin_session").unwrap();
    assert_eq!(id.len(), 64, "256 random bits");
    let dashboard = browser.get("/admin").await;
    assert_eq!(dashboard.status(), StatusCode::OK);
    assert!(dashboard.text().await.unwrap().contains("Dashboard"));

    // A replica sees the same session (it lives in Redis).
    let replica = app.replica().await;
    let mut other = Browser::new(&replica);
    other.cookies = browser.cookies.clone();
    assert_eq!(other.get("/admin").await.status(), StatusCode::OK);

    let csrf = browser.csrf("/admin").await;
    let out = browser.post("/admin/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&out), "/admin/login");
    other.cookies = vec![("admin_session".into(), id)];
    let after = other.get("/admin").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the old cookie is dead on every replica");
    assert_eq!(location(&after), "/admin/login");
}

#[tokio::test]
async fn secure_is_set_on_the_cookie_when_served_over_https() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_LOGIN", ADMIN),
        ("ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("PUBLIC_URL", "https://admin.example.com"),
    ])
    .await;
    let res = Browser::new(&app).get("/admin/login").await;
    let cookie = res.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn pages_and_forms_without_a_session_go_to_the_sign_in_page() {
    let app = spawn().await;
    let mut browser = Browser::new(&app);
    for path in ["/admin", "/admin/shop/users", "/admin/todo/tasks", "/admin/shop/bills/1"] {
        let res = browser.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location(&res), "/admin/login");
    }
    browser.cookies = vec![("admin_session".into(), "f".repeat(64))];
    let forged = browser.post("/admin/shop/products", &[("title", "x"), ("price", "1")]).await;
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    assert_eq!(product_count(&app).await, 0);
}

#[tokio::test]
async fn a_form_without_or_with_a_wrong_csrf_token_is_403_and_changes_nothing() {
    let app = spawn().await;
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let form = [("title", "Coffee"), ("description", ""), ("price", "10.00")];
    let missing = browser.post("/admin/shop/products", &form).await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert!(missing.text().await.unwrap().contains("security token"));
    let wrong =
        browser.post("/admin/shop/products", &[&form[..], &[("_csrf", &"0".repeat(64))]].concat()).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(product_count(&app).await, 0);

    let csrf = browser.csrf("/admin/shop/products").await;
    let ok = browser.post("/admin/shop/products", &[&form[..], &[("_csrf", &csrf)]].concat()).await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(product_count(&app).await, 1);
}

#[tokio::test]
async fn the_sign_in_form_needs_its_own_token_too() {
    let app = spawn().await;
    let mut browser = Browser::new(&app);
    let res = browser.post("/admin/login", &[("login", ADMIN), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(browser.cookie("admin_session").is_none());
}

#[tokio::test]
async fn a_non_admin_and_a_wrong_password_cannot_sign_in() {
    let app = spawn().await;
    app.user(App::Shop, "customer").await;
    let mut browser = Browser::new(&app);
    let customer = browser.sign_in("customer", PASSWORD).await;
    assert_eq!(customer.status(), StatusCode::FORBIDDEN);
    let wrong = browser.sign_in(ADMIN, "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let unknown = browser.sign_in("nobody", "whatever pw").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(browser.cookie("admin_session").is_none());
}

/// Five wrong passwords, all still waiting for the one hashing thread (the
/// test holds it) when the right password arrives: the right one is refused
/// at once, before any of the five is checked. Proves the throttle counts a
/// guess before its password is checked (`throttle::take_guess`, one Redis
/// script), so overlapping guesses cannot buy more.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_five_wrong_passwords_even_the_right_one_waits() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_LOGIN", ADMIN),
        ("ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("HASH_THREADS", "1"),
        ("HASH_QUEUE_PER_SOURCE", "64"),
        ("HASH_QUEUE_PER_CLIENT", "64"),
    ])
    .await;
    let mut browser = Browser::new(&app);
    let csrf = browser.csrf("/admin/login").await;
    let (release, holder) = crate::floods::hold_hashing(&app).await;
    let attempts: Vec<_> = (0..5)
        .map(|_| {
            let (http, url, cookie) =
                (browser.http.clone(), app.url("/admin/login"), browser.cookie_header());
            let csrf = csrf.clone();
            tokio::spawn(async move {
                let form = [("_csrf", csrf.as_str()), ("login", ADMIN), ("password", "wrong password")];
                http.post(url).header(header::COOKIE, cookie).form(&form).send().await.unwrap().status()
            })
        })
        .collect();
    // A bound only, so that a broken throttle fails the test instead of hanging it.
    let bound = std::time::Duration::from_secs(30);
    let queued = async {
        while app.state.passwords.queue().waiting() < 5 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(bound, queued).await.expect("the five guesses wait for the hashing thread");
    let locked = tokio::time::timeout(bound, browser.sign_in(ADMIN, ADMIN_PASSWORD))
        .await
        .expect("the right password is refused without waiting for a password check");
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    drop(release);
    holder.await.unwrap().unwrap();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(statuses, [StatusCode::UNAUTHORIZED; 5]);
    let retry: u64 = locked.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    // A bound: the first lock is 30 s, and its TTL counts down while the test runs.
    assert!((1..=30).contains(&retry), "{retry}");
    assert!(browser.cookie("admin_session").is_none());
    // Another login from the same client is held back as well (counted per client too).
    assert_eq!(browser.sign_in("someone", "whatever pw").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn disabling_a_shop_user_refuses_their_token_at_once_through_the_shops_rules() {
    let app = spawn().await;
    let token = app.user(App::Shop, "customer").await.token;
    let id: i64 = app
        .query(|c| {
            use api::schema::shop_users::dsl::*;
            shop_users.filter(login.eq("customer")).select(id).first(c).unwrap()
        })
        .await;
    app.client_as(&token).shop_list_bills().send().await.expect("the token works");
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let csrf = browser.csrf("/admin/shop/users").await;
    let res = browser.post(&format!("/admin/shop/users/{id}/disable"), &[("_csrf", &csrf)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let refused = app.client_as(&token).shop_list_bills().send().await.unwrap_err();
    assert_eq!(api_tests::status_of(&refused), 401);
    let active: bool = app
        .query(move |c| {
            use api::schema::shop_users;
            shop_users::table.find(id).select(shop_users::is_active).first(c).unwrap()
        })
        .await;
    assert!(!active);
    let page = browser.get("/admin/shop/users").await.text().await.unwrap();
    assert!(page.contains("disabled: their tokens are refused"));
    let unknown = browser.post("/admin/shop/users/999999/disable", &[("_csrf", &csrf)]).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// Two hundred guesses, all decided while the one hashing thread is held:
/// only five reach it. Proves the throttle takes a guess before checking its
/// password (`throttle::take_guess`, one atomic Redis script).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_guesses_check_only_the_five_allowed_passwords() {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let app = TestApp::spawn_with(&[
        ("ADMIN_LOGIN", ADMIN),
        ("ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("HASH_THREADS", "1"),
        ("HASH_QUEUE_PER_SOURCE", "64"),
        ("HASH_QUEUE_PER_CLIENT", "64"),
    ])
    .await;
    let mut browser = Browser::new(&app);
    let csrf = browser.csrf("/admin/login").await;
    let hashed_before = app.state.passwords.queue().stats().done.load(Ordering::SeqCst);
    // Hold the one hashing thread: no password check can finish (and so no
    // failure be counted after one) until all 200 guesses have been answered
    // or queued. The throttle must have decided each before any hash.
    let (release, holder) = crate::floods::hold_hashing(&app).await;
    let answered = Arc::new(AtomicUsize::new(0));
    let guesses: Vec<_> = (0..200)
        .map(|_| {
            let (http, url, cookie) =
                (browser.http.clone(), app.url("/admin/login"), browser.cookie_header());
            let (csrf, answered) = (csrf.clone(), answered.clone());
            tokio::spawn(async move {
                let form = [("_csrf", csrf.as_str()), ("login", ADMIN), ("password", "wrong password")];
                let status =
                    http.post(url).header(header::COOKIE, cookie).form(&form).send().await.unwrap().status();
                answered.fetch_add(1, Ordering::SeqCst);
                status
            })
        })
        .collect();
    let settled = async {
        while answered.load(Ordering::SeqCst) + app.state.passwords.queue().waiting() < 200 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(120), settled)
        .await
        .expect("every guess answered or queued");
    assert_eq!(app.state.passwords.queue().waiting(), 5, "only the allowed guesses reach the hashing queue");
    drop(release);
    holder.await.unwrap().unwrap();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.unwrap());
    }
    let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let locked = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((wrong, locked), (5, 195), "{statuses:?}");
    let hashed = app.state.passwords.queue().stats().done.load(Ordering::SeqCst) - hashed_before;
    assert_eq!(hashed, 6, "five guesses and the held job were hashed, nothing else");
}

#[tokio::test]
async fn admin_pages_start_with_the_doctype() {
    let app = spawn().await;
    let mut browser = Browser::new(&app);
    let login = browser.get("/admin/login").await.text().await.unwrap();
    assert!(login.starts_with("<!DOCTYPE html><html"), "{}", &login[..60]);
    browser.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let dashboard = browser.get("/admin").await.text().await.unwrap();
    assert!(dashboard.starts_with("<!DOCTYPE html><html"), "{}", &dashboard[..60]);
    let missing = browser.get("/admin/shop/bills/999999").await.text().await.unwrap();
    assert!(missing.starts_with("<!DOCTYPE html><html"), "{}", &missing[..60]);
}
