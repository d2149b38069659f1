//! Error texts a person reads: each names the field and the rule it broke,
//! or what to do.

use api_tests::{TestApp, pg_server};
use serde_json::{Value, json};

async fn todo_token(app: &TestApp) -> String {
    let body = json!({"username": "reader", "password": "correct horse"});
    app.http.post(app.url("/todo/register")).json(&body).send().await.unwrap();
    let out: Value =
        app.http.post(app.url("/todo/login")).json(&body).send().await.unwrap().json().await.unwrap();
    out["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_page_out_of_range_says_the_allowed_range() {
    let app = TestApp::spawn().await;
    let body = json!({"login": "pager", "password": "correct horse"});
    app.http.post(app.url("/exchange/registration")).json(&body).send().await.unwrap();
    let out: Value =
        app.http.post(app.url("/exchange/login")).json(&body).send().await.unwrap().json().await.unwrap();
    let token = out["token"].as_str().unwrap();
    for (query, field, message) in [
        ("limit=0", "limit", "must be 1 to 1000"),
        ("limit=1001", "limit", "must be 1 to 1000"),
        ("offset=-1", "offset", "must be at least 0"),
    ] {
        let response = app
            .http
            .get(app.url(&format!("/exchange/items?{query}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["detail"], format!("{field}: {message}"), "{query}");
        assert_eq!(problem["errors"], json!([{"field": field, "message": message}]), "{query}");
    }
}

#[tokio::test]
async fn a_missing_or_mistyped_field_has_its_errors_entry() {
    let app = TestApp::spawn().await;
    let token = todo_token(&app).await;
    let post = |body: Value| app.http.post(app.url("/todo/tasks")).bearer_auth(&token).json(&body).send();
    let problem: Value = post(json!({"description": "no title"})).await.unwrap().json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["detail"], "title: is required");
    assert_eq!(problem["errors"], json!([{"field": "title", "message": "is required"}]));
    let problem: Value = post(json!({"title": 5})).await.unwrap().json().await.unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["errors"][0]["field"], "title");
    assert_eq!(problem["errors"][0]["message"], "invalid type: integer `5`, expected a string");
    let count = app.query(|c| {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT count(*) AS n FROM todo_tasks").get_result::<N>(c).unwrap().n
    });
    assert_eq!(count.await, 0, "nothing was created");
}

#[tokio::test]
async fn exchange_without_a_token_names_every_way_to_send_one() {
    let app = TestApp::spawn().await;
    for path in ["/exchange/items", "/exchange/get?transfer=abc"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "{path}");
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            problem["detail"],
            "a token is required: `Authorization: Bearer <token>` or a `token` query parameter",
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_redis_at_start_up_is_said_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let vars = [
        ("DATABASE_URL", format!("{}/postgres", pg_server())),
        ("REDIS_URL", format!("redis://127.0.0.1:{port}")),
        ("DB_POOL_SIZE", "1".into()),
    ];
    let config =
        api::config::Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    let err = match api::state::AppState::connect(config).await {
        Ok(_) => panic!("Redis is not there"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.starts_with("cannot connect to REDIS_URL: "), "{err}");
    assert_eq!(err.matches("refused").count(), 1, "the cause once: {err}");
}
