//! The harness itself: a test's connections stay within its reservation, and
//! a failed test leaves neither its database nor its Redis keys behind.

use api_tests::{TestApp, pg_server, redis_url};
use diesel::{Connection, PgConnection, RunQueryDsl};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(sql: String) -> i64 {
    let mut admin = PgConnection::establish(&format!("{}/postgres", pg_server())).unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut admin).unwrap().n
}

fn redis_keys(prefix: &str) -> Vec<String> {
    let mut conn = redis::Client::open(redis_url()).unwrap().get_connection().unwrap();
    redis::Commands::scan_match::<_, String>(&mut conn, format!("{prefix}*"))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn a_failed_test_leaves_no_database_and_no_redis_keys() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let failed = tokio::spawn(async move {
        // The rate limit on: every request writes a key under the test's prefix.
        let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "100")]).await;
        let replica = app.replica().await;
        for server in [&app, &replica] {
            let status = server.http.get(server.url("/todo/tasks")).send().await.unwrap().status();
            assert_eq!(status, 401);
        }
        let name = app.config.database_url.rsplit('/').next().unwrap().to_owned();
        let prefix = app.config.redis_key_prefix.clone();
        assert!(!redis_keys(&prefix).is_empty(), "the rate limit wrote its keys");
        tx.send((name, prefix)).unwrap();
        panic!("a test that fails while its servers hold a database and Redis keys");
    })
    .await;
    assert!(failed.unwrap_err().is_panic());
    let (name, prefix) = rx.await.unwrap();
    let left = tokio::task::spawn_blocking(move || {
        count(format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name}'"))
    })
    .await
    .unwrap();
    assert_eq!(left, 0, "the database was dropped");
    assert_eq!(redis_keys(&prefix), Vec::<String>::new(), "no key under {prefix}");
}

#[tokio::test]
async fn replicas_share_their_tests_pool_so_connections_stay_within_the_reservation() {
    let app = TestApp::spawn_with(&[("DB_POOL_SIZE", "2")]).await;
    let replicas = [app.replica().await, app.replica().await];
    let servers = [&app, &replicas[0], &replicas[1]];
    // Concurrent database work on every server at once.
    let calls = (0..30).map(|i| {
        let server = servers[i % 3];
        server
            .http
            .post(server.url("/todo/register"))
            .json(&serde_json::json!({
                "username": format!("crowd-{i}"), "password": "correct horse"
            }))
            .send()
    });
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.unwrap().status(), 201);
    }
    let name = app.config.database_url.rsplit('/').next().unwrap().to_owned();
    let open = tokio::task::spawn_blocking(move || {
        count(format!("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{name}'"))
    })
    .await
    .unwrap();
    // Three pools of two would be six; one shared pool is at most two (a
    // bound: how many the pool has opened by now is its own business).
    assert!(open <= 2, "{open} connections to the test's database");
}
