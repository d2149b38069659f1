//! Item 8: pooled connections whose backends were terminated (as by a
//! PostgreSQL restart) answer 503 or succeed, never 500, and are discarded.

use api_tests::{App, TestApp};
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

use super::{assert_unavailable, call};

/// Terminates every backend of the test's own database but the caller's.
async fn terminate_backends(app: &TestApp) -> usize {
    #[derive(diesel::QueryableByName)]
    struct Done {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        #[expect(dead_code, reason = "one row per terminated backend")]
        done: bool,
    }
    app.query(|c| {
        diesel::RunQueryDsl::load::<Done>(
            diesel::sql_query(
                "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            ),
            c,
        )
        .unwrap()
        .len()
    })
    .await
}

/// Sends `n` concurrent reads and `n` concurrent writes; the statuses of each.
async fn burst(app: &TestApp, token: &str, n: usize, round: usize) -> (Vec<u16>, Vec<(u16, Option<i64>)>) {
    let reads = join_all((0..n).map(|_| call(app, Method::GET, "/todo/tasks", Some(token), None)));
    let writes = join_all((0..n).map(|i| {
        call(app, Method::POST, "/todo/tasks", Some(token), Some(json!({"title": format!("r{round}-{i}")})))
    }));
    let (reads, writes) = tokio::join!(reads, writes);
    let mut read_statuses = Vec::new();
    for response in reads {
        let status = response.status().as_u16();
        if status == 503 {
            assert_unavailable(response).await;
        }
        read_statuses.push(status);
    }
    let mut write_statuses = Vec::new();
    for response in writes {
        let status = response.status().as_u16();
        let id = if status == 201 {
            response.json::<serde_json::Value>().await.unwrap()["id"].as_i64()
        } else {
            if status == 503 {
                assert_unavailable(response).await;
            }
            None
        };
        write_statuses.push((status, id));
    }
    (read_statuses, write_statuses)
}

#[tokio::test]
async fn terminated_backends_answer_503_or_succeed_and_are_discarded() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Todo, "alice").await.token;
    // Fill the pool (8 connections in tests) so every one of them dies.
    burst(&app, &token, 8, 0).await;
    let stored_before = count_tasks(&app).await;
    let killed = terminate_backends(&app).await;
    // A bound, not a count: how many of the pool's eight were open is the burst's timing.
    assert!(killed >= 4, "the pool's connections were terminated ({killed})");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let mut created = Vec::new();
    for round in 1..=3 {
        let (reads, writes) = burst(&app, &token, 8, round).await;
        assert!(reads.iter().all(|s| *s == 200 || *s == 503), "round {round}: reads {reads:?}");
        // A write's BEGIN found its connection dead before anything was
        // sent: it is retried on another connection, so writes succeed.
        assert!(writes.iter().all(|(s, _)| *s == 201), "round {round}: writes {writes:?}");
        if round > 1 {
            assert!(
                reads.iter().all(|s| *s == 200),
                "round {round}: dead connections were discarded: {reads:?}"
            );
        }
        created.extend(writes.into_iter().filter_map(|(_, id)| id));
    }
    assert_eq!(created.len(), 24);
    assert_eq!(count_tasks(&app).await - stored_before, 24, "every 201 is stored, nothing else");
}

async fn count_tasks(app: &TestApp) -> i64 {
    use diesel::{QueryDsl, RunQueryDsl};
    app.query(|c| api::schema::todo_tasks::table.count().get_result::<i64>(c).unwrap()).await
}
