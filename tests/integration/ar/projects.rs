//! /ar projects: CRUD, unique live names, soft delete, app tokens refused.

use api_tests::{App, HeldLock, MAX_QUEUED, RACE_VARS, TestApp, problem_of, status_of, types};
use futures::future::join_all;

use super::{count, exec, project, setup, target};

#[tokio::test]
async fn project_crud_round_trips() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Ar, "alice").await.token;
    let client = app.client_as(&token);
    let created = project(&app, &token, "Museum").await;
    assert_eq!(created.name, "Museum");
    let read = client.ar_get_project().id(created.id).send().await.unwrap().into_inner();
    assert_eq!(read, created);
    let renamed = client
        .ar_update_project()
        .id(created.id)
        .body(types::ArProjectIn::builder().name("Gallery"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((renamed.id, renamed.name.as_str()), (created.id, "Gallery"));
    let second = project(&app, &token, "Park").await;
    let list = client.ar_list_projects().send().await.unwrap().into_inner();
    assert_eq!(list.iter().map(|p| p.id).collect::<Vec<_>>(), vec![created.id, second.id]);
    let page = client.ar_list_projects().limit(1).offset(1).send().await.unwrap().into_inner();
    assert_eq!(page, vec![second.clone()]);
    assert_eq!(client.ar_delete_project().id(created.id).send().await.unwrap().status(), 204);
    let gone = client.ar_get_project().id(created.id).send().await.unwrap_err();
    assert_eq!(status_of(&gone), 404);
    assert_eq!(client.ar_list_projects().send().await.unwrap().into_inner(), vec![second]);
    let again = client.ar_delete_project().id(created.id).send().await.unwrap_err();
    assert_eq!(status_of(&again), 404);
    assert_eq!(
        count(&app, "ar_projects", "deleted_at IS NOT NULL").await,
        1,
        "the row is kept, soft-deleted"
    );
}

#[tokio::test]
async fn bad_project_bodies_are_refused_and_create_nothing() {
    let app = TestApp::spawn().await;
    let token = app.user(App::Ar, "alice").await.token;
    for (body, status) in [
        (r#"{"name": ""}"#.to_owned(), 422),
        (format!(r#"{{"name": "{}"}}"#, "x".repeat(201)), 422),
        (r#"{"name": 5}"#.to_owned(), 422),
        (r#"{}"#.to_owned(), 422),
        (r#"{"name": "#.to_owned(), 400),
    ] {
        let response = app
            .http
            .post(app.url("/ar/api/project"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    assert_eq!(count(&app, "ar_projects", "true").await, 0);
}

#[tokio::test]
async fn names_are_unique_among_live_projects_and_a_deleted_name_is_free() {
    let app = TestApp::spawn().await;
    let alice = app.user(App::Ar, "alice").await.token;
    let bob = app.user(App::Ar, "bob").await.token;
    let museum = project(&app, &alice, "Museum").await;
    let taken = app
        .client_as(&bob)
        .ar_create_project()
        .body(types::ArProjectIn::builder().name("Museum"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(problem_of(taken).status, 409);
    let park = project(&app, &alice, "Park").await;
    let rename = app
        .client_as(&alice)
        .ar_update_project()
        .id(park.id)
        .body(types::ArProjectIn::builder().name("Museum"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&rename), 409);
    app.client_as(&alice).ar_delete_project().id(museum.id).send().await.unwrap();
    let reused = project(&app, &bob, "Museum").await;
    assert_ne!(reused.id, museum.id);
    assert_eq!(count(&app, "ar_projects", "name = 'Museum'").await, 2);
}

/// Creates of one name, queued behind an uncommitted project of that name
/// (as a slow concurrent create would hold it) and let go together when it
/// rolls back, make exactly one project. Proves the partial unique index
/// `ar_projects_name_key` (a name is unique among live projects), the only
/// thing concurrent creates contend on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn creates_of_one_name_let_go_together_make_one_project() {
    let app = TestApp::spawn_with(&RACE_VARS).await;
    let alice = app.user(App::Ar, "alice").await;
    let client = app.client_as(&alice.token);
    let sql = format!("INSERT INTO ar_projects (owner_id, name) VALUES ({}, 'Race')", alice.id);
    let lock = HeldLock::take(&app, "an uncommitted project named Race", &sql).await;
    let attempts = (0..MAX_QUEUED)
        .map(|_| client.ar_create_project().body(types::ArProjectIn::builder().name("Race")).send());
    let release = async {
        lock.wait_for_queued(MAX_QUEUED).await;
        lock.release("ROLLBACK").await;
    };
    let (results, ()) = tokio::join!(join_all(attempts), release);
    let created: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let conflicts = results.iter().filter(|r| r.as_ref().err().is_some_and(|e| status_of(e) == 409)).count();
    assert_eq!((created.len(), conflicts), (1, MAX_QUEUED - 1), "{results:?}");
    assert_eq!(created[0].status(), 201);
    assert_eq!(count(&app, "ar_projects", "name = 'Race'").await, 1);
}

#[tokio::test]
async fn another_users_project_answers_404_and_stays_untouched() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let bob = app.user(App::Ar, "bob").await.token;
    let other = app.client_as(&bob);
    let id = s.project.id;
    assert_eq!(status_of(&other.ar_get_project().id(id).send().await.unwrap_err()), 404);
    let rename =
        other.ar_update_project().id(id).body(types::ArProjectIn::builder().name("Mine")).send().await;
    assert_eq!(status_of(&rename.unwrap_err()), 404);
    assert_eq!(status_of(&other.ar_delete_project().id(id).send().await.unwrap_err()), 404);
    assert_eq!(status_of(&other.ar_create_token().id(id).send().await.unwrap_err()), 404);
    assert_eq!(status_of(&other.ar_list_tokens().id(id).send().await.unwrap_err()), 404);
    let renew =
        other.ar_update_token().id(id).token_id(s.app_token.id).body(types::ArTokenTtlIn::builder()).send();
    assert_eq!(status_of(&renew.await.unwrap_err()), 404);
    let revoke = other.ar_delete_token().id(id).token_id(s.app_token.id).send().await;
    assert_eq!(status_of(&revoke.unwrap_err()), 404);
    assert_eq!(status_of(&other.ar_list_targets().id(id).send().await.unwrap_err()), 404);
    assert!(other.ar_list_projects().send().await.unwrap().into_inner().is_empty());
    let still = app.client_as(&s.user_token).ar_get_project().id(id).send().await.unwrap().into_inner();
    assert_eq!(still.name, s.project.name);
    assert_eq!(count(&app, "ar_app_tokens", "revoked_at IS NULL").await, 1);
}

#[tokio::test]
async fn app_tokens_are_refused_with_403_on_every_project_route() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let as_app = app.client_as(&s.app_token.token);
    let id = s.project.id;
    let statuses = [
        status_of(&as_app.ar_list_projects().send().await.unwrap_err()),
        status_of(
            &as_app
                .ar_create_project()
                .body(types::ArProjectIn::builder().name("X"))
                .send()
                .await
                .unwrap_err(),
        ),
        status_of(&as_app.ar_get_project().id(id).send().await.unwrap_err()),
        status_of(
            &as_app
                .ar_update_project()
                .id(id)
                .body(types::ArProjectIn::builder().name("X"))
                .send()
                .await
                .unwrap_err(),
        ),
        status_of(&as_app.ar_delete_project().id(id).send().await.unwrap_err()),
        status_of(&as_app.ar_create_token().id(id).send().await.unwrap_err()),
        status_of(&as_app.ar_list_tokens().id(id).send().await.unwrap_err()),
        status_of(
            &as_app
                .ar_update_token()
                .id(id)
                .token_id(s.app_token.id)
                .body(types::ArTokenTtlIn::builder())
                .send()
                .await
                .unwrap_err(),
        ),
        status_of(&as_app.ar_delete_token().id(id).token_id(s.app_token.id).send().await.unwrap_err()),
    ];
    assert_eq!(statuses, [403; 9]);
    assert_eq!(count(&app, "ar_projects", "deleted_at IS NULL AND name = 'alice''s project'").await, 1);
    assert_eq!(count(&app, "ar_app_tokens", "revoked_at IS NULL").await, 1);
}

#[tokio::test]
async fn deleting_a_project_hides_its_targets_and_stops_its_tokens() {
    let app = TestApp::spawn().await;
    let s = setup(&app, "alice").await;
    let t = target(&app, &s.app_token.token, s.project.id, "poster").await;
    let owner = app.client_as(&s.user_token);
    owner.ar_delete_project().id(s.project.id).send().await.unwrap();
    let as_app = app.client_as(&s.app_token.token);
    assert_eq!(status_of(&as_app.ar_list_targets().id(s.project.id).send().await.unwrap_err()), 401);
    let read = owner.ar_get_target().id(s.project.id).target_id(t.id).send().await.unwrap_err();
    assert_eq!(status_of(&read), 404);
    assert_eq!(status_of(&owner.ar_list_tokens().id(s.project.id).send().await.unwrap_err()), 404);
    assert_eq!(count(&app, "ar_image_targets", "deleted_at IS NOT NULL").await, 1);
    assert_eq!(count(&app, "ar_app_tokens", "revoked_at IS NOT NULL").await, 1);
    // Even a token row left unrevoked stops with its project.
    exec(&app, "UPDATE ar_app_tokens SET revoked_at = NULL".into()).await;
    assert_eq!(status_of(&as_app.ar_list_targets().id(s.project.id).send().await.unwrap_err()), 401);
}
