//! Item 4: the password hashing queue is bounded and fair, refuses at once
//! with 503 + `Retry-After` + a problem body, and drops jobs whose request
//! has gone.

use std::sync::atomic::Ordering;

use api_tests::{App, PASSWORD, TestApp, types};
use serde_json::{Value, json};

use super::hold_hashing;

const LIMITS: [(&str, &str); 5] = [
    ("HASH_THREADS", "1"),
    ("HASH_QUEUE_MAX", "8"),
    ("HASH_QUEUE_PER_SOURCE", "4"),
    ("HASH_QUEUE_PER_CLIENT", "2"),
    // Clients are told apart by `X-Forwarded-For`, as behind nginx.
    ("TRUSTED_PROXIES", "127.0.0.1"),
];

/// A login to /todo from `client` (an unknown user: checked against the dummy hash).
fn todo_login(app: &TestApp, client: String, user: usize) -> tokio::task::JoinHandle<reqwest::Response> {
    let (http, url) = (app.http.clone(), app.url("/todo/login"));
    tokio::spawn(async move {
        let body = json!({"username": format!("user{user}"), "password": "guess password"});
        http.post(url).header("x-forwarded-for", client).json(&body).send().await.unwrap()
    })
}

fn dealer_creds() -> types::builder::DealerCredentials {
    types::DealerCredentials::builder().username("steady").password(PASSWORD)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_flood_of_one_app_is_refused_at_once_and_another_apps_login_still_succeeds() {
    let app = TestApp::spawn_with(&LIMITS).await;
    app.register(App::Dealer, "steady").await;
    let (release, holder) = hold_hashing(&app).await;

    // 60 logins to /todo from 60 clients while the thread is busy: the app's
    // share (4) waits, the rest is refused without waiting for anything.
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let flood: Vec<_> = (0..60)
        .map(|i| {
            let (login, answered) = (todo_login(&app, format!("10.0.0.{i}"), i), answered.clone());
            tokio::spawn(async move {
                let response = login.await.unwrap();
                answered.fetch_add(1, Ordering::SeqCst);
                response
            })
        })
        .collect();
    let settled = async {
        while answered.load(Ordering::SeqCst) < 56 || app.state.passwords.queue().waiting() < 4 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(25), settled).await.expect("56 answered, 4 queued");
    assert_eq!(app.state.passwords.queue().waiting(), 4, "the app's share of the queue, no more");

    // Another app's login gets its own share of the queue and its turn.
    let steady = {
        let client = app.client();
        tokio::spawn(async move { client.dealer_auth().body(dealer_creds()).send().await })
    };
    while app.state.passwords.queue().waiting() < 5 {
        tokio::task::yield_now().await;
    }
    drop(release);
    holder.await.unwrap().unwrap();
    let token = steady.await.unwrap().expect("the other app's login succeeds").into_inner().access_token;
    assert!(!token.is_empty());
    let mut unknown = 0;
    for answer in flood {
        let response = answer.await.unwrap();
        if response.status() == 401 {
            unknown += 1;
        } else {
            assert_refused(response).await;
        }
    }
    assert_eq!(unknown, 4, "the queued logins were checked (unknown users), the other 56 refused");
    assert_eq!(app.state.passwords.queue().stats().refused.load(Ordering::SeqCst), 56);
}

async fn assert_refused(response: reqwest::Response) {
    assert_refused_with(response, 503).await;
}

async fn assert_refused_with(response: reqwest::Response, status: u16) {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    if status == 503 {
        assert!(body["detail"].as_str().unwrap().contains("try again"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logins_whose_request_has_gone_are_never_hashed() {
    let app = TestApp::spawn_with(&[LIMITS[0], LIMITS[1], LIMITS[2], ("REQUEST_TIMEOUT_MS", "1000")]).await;
    let (release, holder) = hold_hashing(&app).await;
    let stats = app.state.passwords.queue().stats();
    let done_before = stats.done.load(Ordering::SeqCst);
    let logins: Vec<_> = (0..3)
        .map(|i| {
            let (http, url) = (app.http.clone(), app.url("/todo/login"));
            tokio::spawn(async move {
                let body = json!({"username": format!("late{i}"), "password": "guess password"});
                http.post(url).json(&body).send().await.unwrap().status()
            })
        })
        .collect();
    for login in logins {
        assert_eq!(login.await.unwrap(), 503, "answered at the request deadline");
    }
    assert_eq!(app.state.passwords.queue().waiting(), 3, "still queued after their requests ended");
    drop(release);
    holder.await.unwrap().unwrap();
    let gone = async {
        while stats.abandoned.load(Ordering::SeqCst) < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), gone).await.expect("the three jobs dropped");
    assert_eq!(stats.done.load(Ordering::SeqCst), done_before + 1, "only the held job was hashed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_holds_at_most_its_share_and_gets_429_past_it() {
    let app = TestApp::spawn_with(&LIMITS).await;
    let (release, holder) = hold_hashing(&app).await;
    let queue = app.state.passwords.queue();
    let greedy: Vec<_> = (0..5).map(|i| todo_login(&app, "10.9.9.9".into(), i)).collect();
    while queue.waiting() < 2 || queue.stats().refused.load(Ordering::SeqCst) < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // Another client of the same app still gets into the queue.
    let other = todo_login(&app, "10.9.9.10".into(), 99);
    while queue.waiting() < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    drop(release);
    holder.await.unwrap().unwrap();
    assert_eq!(other.await.unwrap().status(), 401, "checked (an unknown user)");
    let mut checked = 0;
    for login in greedy {
        let response = login.await.unwrap();
        if response.status() == 401 {
            checked += 1;
        } else {
            assert_refused_with(response, 429).await;
        }
    }
    assert_eq!(checked, 2, "the client's share: two checked, three refused with 429");
}
