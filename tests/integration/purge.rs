//! The purge job: what it removes (and what it keeps), checked in the
//! database; its advisory lock; the schedule; and `api purge`.

use std::time::Duration;

use api_tests::{App, TestApp};

use crate::ar::{app_token, count, exec, project, setup, target};

/// Rows of every kind the purge decides on, set up through the API and then
/// backdated where the API cannot reach. Returns the ids to keep.
async fn populate(app: &TestApp) -> (i64, i64) {
    let s = setup(app, "alice").await;
    let owner = app.client_as(&s.user_token);
    // Tokens: one live (s.app_token), one expired, one revoked.
    let expired = app_token(app, &s.user_token, s.project.id).await;
    let revoked = app_token(app, &s.user_token, s.project.id).await;
    exec(app, format!("UPDATE ar_app_tokens SET issued_at = now() - interval '1 day', expires_at = now() - interval '1 minute' WHERE id = {}", expired.id))
        .await;
    owner.ar_delete_token().id(s.project.id).token_id(revoked.id).send().await.unwrap();
    // Targets: one live, one deleted long ago, one deleted recently.
    let live = target(app, &s.user_token, s.project.id, "live").await;
    for (description, days) in [("old", 31), ("recent", 29)] {
        let t = target(app, &s.user_token, s.project.id, description).await;
        owner.ar_delete_target().id(s.project.id).target_id(t.id).send().await.unwrap();
        exec(
            app,
            format!(
                "UPDATE ar_image_targets SET deleted_at = now() - interval '{days} days' WHERE id = {}",
                t.id
            ),
        )
        .await;
    }
    // Projects: one deleted long ago (with a target and a token), one deleted recently.
    for (name, days) in [("old project", 31), ("recent project", 29)] {
        let p = project(app, &s.user_token, name).await;
        target(app, &s.user_token, p.id, name).await;
        app_token(app, &s.user_token, p.id).await;
        owner.ar_delete_project().id(p.id).send().await.unwrap();
        exec(
            app,
            format!(
                "UPDATE ar_projects SET deleted_at = now() - interval '{days} days' WHERE id = {id};
                 UPDATE ar_image_targets SET deleted_at = now() - interval '{days} days' WHERE project_id = {id}",
                id = p.id
            ),
        )
        .await;
    }
    (s.app_token.id, live.id)
}

#[tokio::test]
async fn the_purge_removes_dead_tokens_and_rows_past_retention_only() {
    let app = TestApp::spawn().await;
    let (live_token, live_target) = populate(&app).await;
    assert_eq!(count(&app, "ar_app_tokens", "true").await, 5);
    assert_eq!(count(&app, "ar_image_targets", "true").await, 5);

    let config = app.config.clone();
    let report = app.query(move |c| api::jobs::purge_once(c, &config).unwrap()).await.expect("not locked");
    assert_eq!(report["ar_app_tokens"], 4, "expired, revoked, and the two deleted projects' tokens");
    assert_eq!(report["ar_image_targets"], 2, "the old target and the old project's target");
    assert_eq!(report["ar_projects"], 1);

    assert_eq!(count(&app, "ar_app_tokens", "true").await, 1);
    assert_eq!(count(&app, "ar_app_tokens", format!("id = {live_token}")).await, 1);
    assert_eq!(count(&app, "ar_image_targets", "deleted_at IS NULL").await, 1);
    assert_eq!(count(&app, "ar_image_targets", format!("id = {live_target}")).await, 1);
    assert_eq!(
        count(
            &app,
            "ar_image_targets",
            "description IN ('recent', 'recent project') AND deleted_at IS NOT NULL"
        )
        .await,
        2,
        "rows deleted within the retention period stay"
    );
    assert_eq!(count(&app, "ar_projects", "true").await, 2);
    assert_eq!(count(&app, "ar_projects", "name = 'recent project'").await, 1);
    assert_eq!(count(&app, "purge_runs", "removed->>'ar_projects' = '1'").await, 1, "the run is recorded");

    // A second run finds nothing more.
    let config = app.config.clone();
    let again = app.query(move |c| api::jobs::purge_once(c, &config).unwrap()).await.unwrap();
    assert!(again.values().all(|&n| n == 0), "{again:?}");
}

#[tokio::test]
async fn the_purge_skips_while_another_replica_holds_the_lock() {
    let app = TestApp::spawn().await;
    let config = app.config.clone();
    let skipped = app
        .query(move |holder| {
            api::db::with_advisory_lock(holder, api::db::locks::PURGE, |_| {
                let mut other = diesel::Connection::establish(&config.database_url)?;
                api::jobs::purge_once(&mut other, &config)
            })
            .unwrap()
        })
        .await;
    assert!(skipped.is_none());
    assert_eq!(count(&app, "purge_runs", "true").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_job_runs_on_purge_schedule() {
    let app = TestApp::spawn_with(&[("PURGE_SCHEDULE", "* * * * * *")]).await;
    let s = setup(&app, "alice").await;
    exec(&app, "UPDATE ar_app_tokens SET issued_at = now() - interval '1 day', expires_at = now() - interval '1 minute'".into()).await;
    let mut scheduler = api::jobs::start_scheduler(app.state.clone()).await.unwrap();
    let mut runs = 0;
    for _ in 0..50 {
        runs = count(&app, "purge_runs", "true").await;
        if runs > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    scheduler.shutdown().await.unwrap();
    // A bound: the scheduler runs every second, so how many runs the loop saw is timing.
    assert!(runs > 0, "no run within 10 s");
    assert_eq!(count(&app, "ar_app_tokens", "true").await, 0, "the expired token is gone");
    assert_eq!(count(&app, "ar_projects", format!("id = {}", s.project.id)).await, 1);
}

#[tokio::test]
async fn api_purge_runs_the_job_once() {
    let app = TestApp::spawn().await;
    let (live_token, _) = populate(&app).await;
    api::server::purge(app.config.clone()).await.unwrap();
    assert_eq!(count(&app, "purge_runs", "true").await, 1);
    assert_eq!(count(&app, "ar_app_tokens", "true").await, 1);
    assert_eq!(count(&app, "ar_app_tokens", format!("id = {live_token}")).await, 1);
    assert_eq!(count(&app, "ar_projects", "true").await, 2);
}

#[tokio::test]
async fn the_purge_removes_revocations_once_their_tokens_have_expired() {
    let app = TestApp::spawn().await;
    // Two logouts; one token is made to have expired a minute ago.
    let live = app.user(App::Ar, "alice").await.token;
    let dead = app.user(App::Ar, "bob").await.token;
    for token in [&live, &dead] {
        assert_eq!(app.client_as(token).ar_logout().send().await.unwrap().status(), 204);
    }
    let dead_jti =
        api::auth::TokenKeys::new(api_tests::JWT_SECRET.as_bytes()).verify(&dead, "ar").unwrap().jti;
    exec(
        &app,
        format!(
            "UPDATE revoked_tokens SET expires_at = now() - interval '1 minute' WHERE jti = '{dead_jti}'"
        ),
    )
    .await;

    let config = app.config.clone();
    let report = app.query(move |c| api::jobs::purge_once(c, &config).unwrap()).await.unwrap();
    assert_eq!(report["revoked_tokens"], 1);
    assert_eq!(count(&app, "revoked_tokens", format!("jti <> '{dead_jti}'")).await, 1, "the live one stays");
    let late = app.replica().await;
    let refused = late.client_as(&live).ar_list_projects().send().await.unwrap_err();
    assert_eq!(api_tests::status_of(&refused), 401, "and its token stays refused");
}
